// A store with one vault and one queue, written straight through a transaction.
import { Store } from '../../source/store/store.js';
import type { QueueId, VaultId } from '../../source/domain/ids.js';

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
