// Reading what a person types: one line, or a secret without echo on a terminal.

type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** One line from stdin (piped or typed); null at end of input. */
export function readLine(stdin: NodeJS.ReadableStream): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer | string) => {
      buffer += chunk.toString();
      const end = buffer.indexOf('\n');
      if (end >= 0) finish(buffer.slice(0, end).replace(/\r$/, ''));
    };
    const onEnd = () => finish(buffer.length ? buffer : null);
    const finish = (value: string | null) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', reject);
      stdin.pause();
      resolve(value);
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', reject);
    stdin.resume();
  });
}

/** A secret: typed without echo on a terminal, or one piped line. */
export async function readSecret(stdin: NodeJS.ReadableStream, stderr: (text: string) => void, question: string): Promise<string | null> {
  const input = stdin as Input;
  if (!input.isTTY || !input.setRawMode) return readLine(stdin);
  stderr(question);
  input.setRawMode(true);
  try {
    return await new Promise((resolve) => {
      let value = '';
      const onData = (chunk: Buffer | string) => {
        for (const char of chunk.toString()) {
          if (char === '\r' || char === '\n') {
            input.off('data', onData);
            resolve(value);
            return;
          }
          if (char === '\u0003') {
            input.off('data', onData);
            resolve(null);
            return;
          }
          if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
          else value += char;
        }
      };
      input.on('data', onData);
      input.resume();
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    stderr('\n');
  }
}
