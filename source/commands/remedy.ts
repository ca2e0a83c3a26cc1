// What to do about an error, as a command line: the CLI's rendering of a domain Remedy (the
// console renders the same remedies as keys and panes).
import type { Notice, Remedy, UserError } from '../domain/errors.js';

/** Quotes a value for a POSIX shell only when it needs it. */
function arg(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

const vaultFlag = (vault: string | undefined) => (vault ? ` --vault ${arg(vault)}` : '');

export function remedyCommand(remedy: Remedy): string {
  switch (remedy.action) {
    case 'vault.list':
      return 'apdesk vault list';
    case 'vault.add':
      return 'apdesk vault add NAME --accounting sage300';
    case 'queue.add':
      return `apdesk queue add --vault ${arg(remedy.args.vault)} NAME`;
    case 'user.add':
      return `apdesk user add ${arg(remedy.args.user)} --role ${remedy.args.role}`;
    case 'license.grant':
      return `apdesk license grant --vault ${arg(remedy.args.vault)} ${remedy.args.licence}`;
    case 'invoices.list':
      return `apdesk invoices list${vaultFlag(remedy.args.vault)}`;
    case 'invoices.edit': {
      const { invoice, field, value } = remedy.args;
      return `apdesk invoices edit ${invoice} ${field ? `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${value !== undefined ? arg(value) : 'VALUE'}` : '…'}`;
    }
    case 'invoices.reset':
      return `apdesk invoices reset ${remedy.args.invoice}`;
    case 'invoices.release':
      return `apdesk invoices release ${remedy.args.invoice}`;
    case 'invoices.allow-duplicate':
      return `apdesk queue add-document --vault ${arg(remedy.args.vault)} --queue ${arg(remedy.args.queue)} --allow-duplicate FILE`;
    case 'rules.list':
      return `apdesk rules list${vaultFlag(remedy.args.vault)}`;
    case 'rules.add':
      return `apdesk rules add --vault ${arg(remedy.args.vault)} …`;
    case 'rules.allow-zero':
      return `apdesk rules options --vault ${arg(remedy.args.vault)} --allow-zero on`;
    case 'procore.connect':
      return `apdesk procore connect --vault ${arg(remedy.args.vault)}`;
    case 'procore.env':
      return `apdesk procore env --vault ${arg(remedy.args.vault)} --env ${remedy.args.env ?? 'ENV'}`;
    case 'procore.companies':
      return `apdesk procore companies --vault ${arg(remedy.args.vault)}`;
    case 'procore.configure': {
      const { vault, setting, value } = remedy.args;
      const flag = setting === undefined ? '' : ` --${setting} ${value !== undefined ? arg(value) : setting === 'queue' ? 'NAME' : setting === 'company' ? 'ID' : 'on'}`;
      return `apdesk procore configure --vault ${arg(vault)}${flag}`;
    }
    case 'jobs.enable':
      return `apdesk jobs enable --vault ${arg(remedy.args.vault)} ${remedy.args.job}`;
    case 'accounting.import':
      return `apdesk accounting import --vault ${arg(remedy.args.vault)} --dir DIR`;
    case 'demo.create':
      return 'apdesk demo';
  }
}

/** A message with its remedy, as one line: "… (`apdesk …`)". */
export function withRemedy(notice: Notice | UserError): string {
  return notice.remedy ? `${notice.message} (\`${remedyCommand(notice.remedy)}\`)` : notice.message;
}
