// A store with one vault and one queue, written straight through a transaction.
import { Store } from '../../source/store/store.js';
import { newDocument, type Invoice } from '../../source/domain/invoice.js';
import type { InvoiceId, QueueId, VaultId } from '../../source/domain/ids.js';

export const STORE_OPTIONS = { user: 'pat', command: 'test' };

export async function storeWithVault(dataDir: string, vaultId: string, name = vaultId): Promise<Store> {
  const store = await Store.open(dataDir, STORE_OPTIONS);
  await store.transact((tx) => {
    tx.settings.vaults.push({
      id: vaultId as VaultId,
      name,
      accounting: 'sage300',
      licences: [],
      queues: [{ id: 'inbox' as QueueId, name: 'Inbox', createdAt: tx.now }],
      createdAt: tx.now,
      createdBy: tx.user,
    });
  });
  return store;
}

/** An unprocessed document in vault v1's inbox, as the store tests write them. */
export function testDocument(id: string, now = '2026-11-26T00:00:00.000Z'): Invoice {
  return newDocument({
    id: id as InvoiceId,
    vaultId: 'v1' as VaultId,
    queueId: 'inbox' as QueueId,
    source: { kind: 'manual' },
    attachments: [],
    user: 'pat',
    now,
    detail: 'added',
  });
}
