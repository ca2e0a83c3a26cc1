// The plain-lines view the Procore panes draw with: lines cut to the width, and lines past the
// height not dropped silently — the last row says how many more there are.
import { beforeAll, describe, expect, it } from 'vitest';
import { act } from 'react';
import { render } from 'ink-testing-library';
import { LinesView } from '../../../source/tui/panes/procore-common.js';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

async function frameOf(count: number, height: number): Promise<string[]> {
  const lines = Array.from({ length: count }, (_, index) => [{ text: `line ${index + 1} ${'x'.repeat(30)}` }]);
  let app!: ReturnType<typeof render>;
  await act(async () => {
    app = render(<LinesView lines={lines} width={20} height={height} />);
  });
  const frame = (app.lastFrame() ?? '').split('\n');
  await act(async () => app.unmount());
  return frame;
}

describe('LinesView', () => {
  it('draws every line when they fit, each cut to the width', async () => {
    const frame = await frameOf(3, 3);
    expect(frame).toHaveLength(3);
    expect(frame[2]).toMatch(/^line 3 x+…$/);
    for (const line of frame) expect(line.length).toBeLessThanOrEqual(20);
  });

  it('says how many lines a short pane leaves out, on its last row', async () => {
    const frame = await frameOf(10, 4);
    expect(frame).toHaveLength(4);
    expect(frame[2]).toMatch(/^line 3 /);
    expect(frame[3]).toMatch(/^↓ 7 more lines: a t…$/);
  });
});
