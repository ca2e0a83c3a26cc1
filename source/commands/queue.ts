// The queue commands: list and add queues, point one at an inbox folder, add documents by hand.
import { join } from 'node:path';
import { UsageError } from '../domain/errors.js';
import { documentOf } from '../domain/invoice.js';
import { JOB_LABELS } from '../domain/jobs.js';
import { requireQueue } from '../domain/vault.js';
import { printJson, requiredVault, stringOption, VAULT_OPTION, type Command } from './command.js';
import { table } from './format.js';


export const queueListCommand: Command = {
  path: ['queue', 'list'],
  summary: "List a vault's queues",
  usage: 'apdesk queue list --vault VAULT [--json]',
  options: VAULT_OPTION,
  json: true,
  async run(ctx) {
    const summary = await (await ctx.desk()).vaults.summary(requiredVault(ctx, this.usage));
    const vault = summary.vault;
    const queues = summary.queues;
    if (ctx.json) return printJson(ctx, queues.map(({ queue, documents }) => ({ ...queue, documents })));
    if (!queues.length) return ctx.out(`Vault '${vault.name}' has no queues yet. Add one: apdesk queue add --vault ${vault.id} NAME`);
    ctx.out(table(['ID', 'NAME', 'DOCUMENTS', 'INBOX'], queues.map(({ queue, documents }) => [queue.id, queue.name, String(documents), queue.inbox ?? '-'])));
  },
};

export const queueAddCommand: Command = {
  path: ['queue', 'add'],
  summary: 'Add a queue to a vault',
  usage: 'apdesk queue add --vault VAULT NAME',
  options: VAULT_OPTION,
  positionals: { min: 1, max: 1, names: 'NAME' },
  json: true,
  async run(ctx) {
    const { vault, queue } = await (await ctx.desk()).vaults.addQueue({
      vault: requiredVault(ctx, this.usage),
      name: ctx.positionals[0] ?? '',
    });
    if (ctx.json) return printJson(ctx, queue);
    ctx.out(`Added queue '${queue.name}' (id ${queue.id}) to vault '${vault.name}'.`);
  },
};

export const queueInboxCommand: Command = {
  path: ['queue', 'inbox'],
  summary: 'Set or clear the folder whose files the folder watch adds to a queue',
  usage: 'apdesk queue inbox --vault VAULT QUEUE DIR | apdesk queue inbox --vault VAULT QUEUE --clear',
  details:
    'When the folder-watch job runs (apdesk jobs enable --vault VAULT folder-watch), each PDF, JPEG or PNG\n' +
    'dropped directly into DIR becomes a document in QUEUE once it has stopped changing, and is moved into\n' +
    'DIR/imported/. A file that cannot be added goes to DIR/refused/ with NAME.reason.txt saying why.\n' +
    'DIR must exist and be readable and writable; a relative DIR is taken from the current folder.',
  options: {
    ...VAULT_OPTION,
    clear: { type: 'boolean', description: 'stop watching a folder for this queue' },
  },
  positionals: { min: 1, max: 2, names: 'QUEUE [DIR]' },
  json: true,
  async run(ctx) {
    const vaultRef = requiredVault(ctx, this.usage);
    const [queueRef = '', dir] = ctx.positionals;
    const clear = ctx.values.clear === true;
    if (clear && dir !== undefined) throw new UsageError(`give either DIR or --clear, not both: ${this.usage}`);
    if (!clear && dir === undefined) throw new UsageError(`give the inbox folder DIR, or --clear to stop watching one: ${this.usage}`);
    const desk = await ctx.desk();
    const { vault, queue, changed } = await desk.vaults.setInbox({ vault: vaultRef, queue: queueRef, dir: clear ? null : dir! });
    if (ctx.json) return printJson(ctx, queue);
    if (!queue.inbox) {
      return ctx.out(changed ? `Queue '${queue.name}' of vault '${vault.name}' no longer has an inbox folder.` : `Queue '${queue.name}' of vault '${vault.name}' has no inbox folder; nothing to clear.`);
    }
    ctx.out(
      `${changed ? 'Files dropped into' : 'Already: files dropped into'} ${queue.inbox} become documents in queue '${queue.name}' of vault '${vault.name}'; ` +
        `they are moved into ${join(queue.inbox, 'imported')} once stored, or ${join(queue.inbox, 'refused')} with the reason.`,
    );
    const job = (await desk.jobs.list(vault.id)).find((candidate) => candidate.kind === 'folder-watch');
    if (!job?.enabled) ctx.note(`apdesk: warning: the ${JOB_LABELS['folder-watch']} job is not enabled for this vault, so nothing is taken yet: apdesk jobs enable --vault ${vault.id} folder-watch`);
  },
};

export const queueAddDocumentCommand: Command = {
  path: ['queue', 'add-document'],
  summary: 'Copy PDF, JPEG or PNG files into a queue as unprocessed documents',
  usage: 'apdesk queue add-document --vault VAULT --queue QUEUE [--allow-duplicate] FILE...',
  details:
    'Each file becomes one document. Images are kept as they are and also turned into a one-page PDF.\n' +
    'Every file is checked first: if any one cannot be added, none is. A file already in the vault (the\n' +
    'same bytes) is refused, naming the invoice it is, unless --allow-duplicate says it is meant.',
  options: {
    ...VAULT_OPTION,
    queue: { type: 'string', value: 'QUEUE', description: 'the queue, by name or id' },
    'allow-duplicate': { type: 'boolean', description: 'add a file even if the same file is already in the vault' },
  },
  positionals: { min: 1, max: Infinity, names: 'FILE...' },
  json: true,
  async run(ctx) {
    const queue = stringOption(ctx.values, 'queue');
    if (!queue) throw new UsageError(`say which queue with --queue: ${this.usage}`);
    const desk = await ctx.desk();
    const added = await desk.documents.add({
      vault: requiredVault(ctx, this.usage),
      queue,
      paths: ctx.positionals,
      allowDuplicate: ctx.values['allow-duplicate'] === true,
    });
    if (ctx.json) {
      return printJson(
        ctx,
        added.map((invoice) => ({
          id: invoice.id,
          vault: invoice.vaultId,
          queue: invoice.queueId,
          status: invoice.status,
          documentPath: join(desk.dataDir, documentOf(invoice)?.path ?? ''),
          pages: documentOf(invoice)?.pages ?? null,
        })),
      );
    }
    const vault = await desk.vaults.get(requiredVault(ctx, this.usage));
    const queueName = requireQueue(vault, queue).name;
    ctx.out(
      added
        .map((invoice) => {
          const document = documentOf(invoice);
          return `Added ${invoice.id} to '${queueName}' (${document?.pages ?? '?'} page${document?.pages === 1 ? '' : 's'}).`;
        })
        .join('\n'),
    );
  },
};
