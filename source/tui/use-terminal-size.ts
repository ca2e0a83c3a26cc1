// Tracks the terminal's size so the root box can fill it and follow a resize.
import { useEffect, useState } from 'react';
import { useStdout } from './ink.js';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** The terminal's size, updated on every resize; `fixed` (a test's terminal) wins while given. */
export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState<TerminalSize>(() => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 }));
  useEffect(() => {
    const onResize = () => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return fixed ?? size;
}
