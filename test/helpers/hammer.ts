// A separate apdesk process for the store tests: runs N transactions (or forever, to be killed)
// against one data dir, each adding one document record to vault 'hammer'.
import { Store } from '../../source/store/store.js';
import { newDocument } from '../../source/domain/invoice.js';
import type { QueueId, VaultId } from '../../source/domain/ids.js';

const [dataDir, countText, label] = process.argv.slice(2);
const count = countText === 'forever' ? Infinity : Number(countText);
const store = await Store.open(dataDir!, { user: label ?? 'hammer', command: `hammer ${label}`, lockTimeoutMs: 60_000 });
process.stdout.write('ready\n');
for (let n = 0; n < count; n++) {
  await store.transact(async (tx) => {
    const vault = tx.settings.vaults.find((v) => v.id === 'hammer');
    if (!vault) throw new Error('no hammer vault');
    const id = await tx.nextInvoiceId(vault.id);
    const invoice = newDocument({
      id,
      vaultId: vault.id as VaultId,
      queueId: 'inbox' as QueueId,
      source: { kind: 'manual' },
      attachments: [],
      user: label ?? 'hammer',
      now: tx.now,
      // Bulk so a write takes long enough to be caught in the middle by kill -9.
      detail: `${label} #${n} ${'x'.repeat(2000)}`,
    });
    await tx.putInvoice(invoice);
  });
}
process.stdout.write('done\n');
