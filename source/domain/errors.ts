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
