// Errors a user can act on. The CLI prints `message` as one line and exits non-zero;
// anything that is not a UserError is a bug and goes to the log with its stack.
//
// What the user can do about it travels as data (a Remedy): the CLI renders it as a command line,
// the console as a key or a pane. No shell command text is written in domain/.

/** The things a user can be pointed at to fix a problem, with what each needs to know. */
export interface RemedyArgs {
  'vault.list': Record<string, never>;
  'vault.add': Record<string, never>;
  'queue.add': { vault: string };
  'user.add': { user: string; role: string };
  'license.grant': { vault: string; licence: string };
  'invoices.list': { vault?: string };
  'invoices.edit': { invoice: string; field?: string; value?: string };
  'invoices.reset': { invoice: string };
  'invoices.release': { invoice: string };
  'invoices.allow-duplicate': { vault: string; queue: string };
  'rules.list': { vault?: string };
  'rules.add': { vault: string };
  'rules.allow-zero': { vault: string };
  'procore.connect': { vault: string };
  'procore.env': { vault: string; env?: string };
  'procore.companies': { vault: string };
  'procore.configure': { vault: string; setting?: 'allow-edit' | 'create-payments' | 'company' | 'queue'; value?: string };
  'jobs.enable': { vault: string; job: string };
  'accounting.import': { vault: string };
  'demo.create': Record<string, never>;
}

export type RemedyAction = keyof RemedyArgs;

export type Remedy = { [A in RemedyAction]: { action: A; args: RemedyArgs[A] } }[RemedyAction];

export function remedy<A extends RemedyAction>(action: A, args: RemedyArgs[A]): Remedy {
  return { action, args } as Remedy;
}

/** A message for a person, with what they can do about it when there is something to do. */
export interface Notice {
  message: string;
  remedy?: Remedy;
}

export class UserError extends Error {
  readonly exitCode: number;
  readonly remedy: Remedy | undefined;
  constructor(message: string, options: { exitCode?: number; remedy?: Remedy } | number = {}) {
    super(message);
    this.name = 'UserError';
    const opts = typeof options === 'number' ? { exitCode: options } : options;
    this.exitCode = opts.exitCode ?? 1;
    this.remedy = opts.remedy;
  }
}

/** Bad command line: unknown flag, missing argument, a value not among the choices. Exit status 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
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
