// Errors a user can act on. The CLI prints `message` as one line and exits non-zero;
// anything that is not a UserError is a bug and goes to the log with its stack.

export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** Bad command line: unknown flag, missing argument. Exit status 2, like most Unix tools. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/**
 * What the machine refused, said so that someone can fix it: permissions, a read-only or full
 * disk. `undefined` for anything else, which stays an unexpected error.
 */
export function describeSystemError(error: unknown, user: string): string | undefined {
  const { code, path } = (error ?? {}) as { code?: unknown; path?: unknown };
  if (typeof code !== 'string') return undefined;
  // The store's temp and lock files are named after what they stand for; name their folder.
  const where = typeof path === 'string' ? (/\/\.[^/]*\.\d+\.[0-9a-f]+(\.tmp)?$/.test(path) ? path.replace(/\/[^/]*$/, '') : path) : 'a file';
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied on ${where} — the data dir and everything in it must be readable and writable by ${user}; nothing was changed`;
    case 'EROFS':
      return `${where} is on a read-only file system — give --data-dir a writable directory; nothing was changed`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left on the disk for ${where} — free some space and run it again; nothing was half-written`;
    default:
      return undefined;
  }
}
