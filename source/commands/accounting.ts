// `apdesk accounting import|show`: bridge a vault to the folder a Sage export job fills, and see
// what the ledger holds now and what is wrong with its files.
import type { LoadProblem } from '../accounting/bridge.js';
import { UsageError } from '../domain/errors.js';
import type { LedgerConfig } from '../domain/vault.js';
import { printJson, requiredVault, stringOption, VAULT_OPTION, type Command } from './command.js';
import { keyValues, oneLine, table } from './format.js';


// File contents reach the terminal through these messages: no control characters pass.
function problemLines(problems: readonly LoadProblem[]): string[] {
  if (!problems.length) return ['No problems found.'];
  return [`${problems.length} problem${problems.length === 1 ? '' : 's'}:`, ...problems.map((problem) => oneLine(`${problem.file}${problem.line === null ? '' : `:${problem.line}`}: ${problem.message}`))];
}

function describeLedger(ledger: LedgerConfig): string {
  return ledger.kind === 'demo'
    ? `demo ledger (pays exported invoices after ${ledger.payAfterSeconds} s)`
    : 'CSV bridge folder (Sage 100/300 exports)';
}

export const accountingImportCommand: Command = {
  path: ['accounting', 'import'],
  summary: "Bridge a vault to the folder of CSV files its Sage export job writes",
  usage: 'apdesk accounting import --vault VAULT --dir DIR [--json]',
  details:
    'The folder must hold vendors.csv, jobs.csv, cost_codes.csv and commitments.csv; ap_invoices.csv and\n' +
    'checks.csv may be absent. Columns are found by header name. Rows that cannot be read are listed and\n' +
    'skipped; a missing file or column stops the import and nothing is stored. Admins only.',
  options: {
    ...VAULT_OPTION,
    dir: { type: 'string', value: 'DIR', description: 'the folder the Sage export job writes to' },
  },
  json: true,
  async run(ctx) {
    const dir = stringOption(ctx.values, 'dir');
    if (!dir?.trim()) throw new UsageError(`say which folder with --dir: ${this.usage}`);
    const result = await (await ctx.desk()).accounting.importFolder({ vault: requiredVault(ctx, this.usage), dir });
    if (ctx.json) {
      return printJson(ctx, {
        vault: result.vault.id,
        ledger: result.vault.ledger,
        counts: result.counts,
        problems: result.problems,
        loadedAt: result.loadedAt,
      });
    }
    // The ledger's file specs load its row parsers (zod): only when this command prints them.
    const { LEDGER_FILES, LEDGER_KIND_LABELS, LEDGER_KINDS } = await import('../accounting/ledger-files.js');
    ctx.out(
      [
        `Vault '${result.vault.name}' now reads its accounting data from ${result.dir}.`,
        '',
        table(['KIND', 'FILE', 'ROWS'], LEDGER_KINDS.map((kind) => [LEDGER_KIND_LABELS[kind], LEDGER_FILES[kind].file, String(result.counts[kind])])),
        '',
        ...problemLines(result.problems),
      ].join('\n'),
    );
  },
};

export const accountingShowCommand: Command = {
  path: ['accounting', 'show'],
  summary: "Show a vault's accounting ledger: where it is read, what it holds, what is wrong",
  usage: 'apdesk accounting show --vault VAULT [--json]',
  details: 'Reads the ledger files as they are now; a file that cannot be used keeps its last good rows.',
  options: VAULT_OPTION,
  json: true,
  async run(ctx) {
    const summary = await (await ctx.desk()).accounting.summary(requiredVault(ctx, this.usage));
    if (ctx.json) return printJson(ctx, summary);
    const { LEDGER_KIND_LABELS } = await import('../accounting/ledger-files.js');
    ctx.out(
      [
        keyValues([
          ['vault', `${summary.vault.name} (id ${summary.vault.id})`],
          ['ledger', describeLedger(summary.ledger)],
          ['folder', summary.ledger.dir],
          ['loaded at', summary.loadedAt],
        ]),
        '',
        table(
          ['KIND', 'FILE', 'ROWS', 'CHANGED'],
          summary.files.map((file) => [
            LEDGER_KIND_LABELS[file.kind],
            file.file,
            String(file.rows),
            file.modifiedAt ?? (file.required ? 'missing' : 'absent'),
          ]),
        ),
        '',
        ...problemLines(summary.problems),
      ].join('\n'),
    );
  },
};
