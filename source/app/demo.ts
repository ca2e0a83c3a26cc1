// The demo vault: what the first `npm start` (or `apdesk demo`) creates, so a fresh clone shows a
// working desk. It is only ever created in a data dir that holds nothing yet.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../domain/errors.js';
import type { Vault } from '../domain/vault.js';
import { addDocuments } from './documents.js';
import { addQueue, addVault, setLicence } from './vaults.js';
import { attachDemoLedger } from './accounting.js';
import { addRoutingRule } from './rules.js';
import { setJob } from './jobs.js';
import type { DeskContext } from './context.js';
import { DEMO_USERS } from '../sandbox/demo-seed.js';

export const DEMO_VAULT = 'Demo Construction';

/** The sandbox's demo admin: who Grant Access logs in as in a demo (shown on screen on purpose). */
export const DEMO_LOGIN: { email: string; password: string } = { email: DEMO_USERS[0]!.email, password: DEMO_USERS[0]!.password };
export const DEMO_QUEUES = ['Procore Invoices', 'AP Inbox'] as const;

/** What the data dir holds: settings.json when the store is set up, else whatever is there. */
async function holdsAnything(desk: DeskContext): Promise<string[]> {
  if (await desk.store.initialized()) return ['settings.json'];
  return desk.store.contents();
}

export async function createDemo(desk: DeskContext): Promise<Vault> {
  const found = await holdsAnything(desk);
  if (found.length) {
    throw new UserError(
      `the data dir ${desk.dataDir} already holds ${found.slice(0, 3).join(', ')}${found.length > 3 ? ', …' : ''}; the demo is only created in an empty data dir — give --data-dir a new folder`,
    );
  }
  return seed(desk);
}

/** The demo in a new data dir; null (and nothing written) in any data dir that holds something. */
/** Whether createDemoIfNew would create the demo: the data dir holds nothing yet. */
export async function demoWouldBeCreated(desk: DeskContext): Promise<boolean> {
  return (await holdsAnything(desk)).length === 0;
}

export async function createDemoIfNew(desk: DeskContext): Promise<Vault | null> {
  if ((await holdsAnything(desk)).length) return null;
  return seed(desk);
}

async function seed(desk: DeskContext): Promise<Vault> {
  const vault = await addVault(desk, { name: DEMO_VAULT, accounting: 'sage300' });
  await setLicence(desk, { vault: vault.id, licence: 'procore', granted: true });
  await setLicence(desk, { vault: vault.id, licence: 'cloud-sync', granted: true });
  for (const name of DEMO_QUEUES) await addQueue(desk, { vault: vault.id, name });
  // The demo's Procore is the embedded sandbox; `apdesk procore connect --email --password` signs in.
  const { configure, setEnvironment } = await import('./procore.js');
  await setEnvironment(desk, { vault: vault.id, kind: 'local' });
  await configure(desk, { vault: vault.id, queue: 'Procore Invoices' });
  // The accounting side: the embedded ledger (codes match the sandbox), which pays exports after a minute.
  await attachDemoLedger(desk, { vault: vault.id });
  await setJob(desk, { vault: vault.id, kind: 'check-backfiller', enabled: true });
  // The demo's Procore invoices come in by the sync: its job is on, and says what it waits for.
  await setJob(desk, { vault: vault.id, kind: 'procore-import', enabled: true });
  // Whoever runs the demo reviews everything, so the whole loop can be walked through alone.
  await addRoutingRule(desk, vault.id, { name: 'Demo: every line to the demo user', reviewers: [{ user: desk.user, sequence: 1 }] });
  const { demoInvoicePdf } = await import('../documents/demo-pdf.js');
  const dir = await mkdtemp(join(tmpdir(), 'apdesk-demo-'));
  try {
    const file = join(dir, 'ABC-Concrete-9348.pdf');
    await writeFile(
      file,
      await demoInvoicePdf([
        'INVOICE 9348',
        'ABC Concrete Inc. — 1200 Quarry Road',
        'Bill to: Demo Construction',
        'Invoice date: 11/05/2026',
        'Job 2301 · Harbor View Medical Office',
        'Commitment SC-2301-01 · Concrete foundations and slabs',
        'Cost code 03-300 · Work completed this period: $45,000.00',
        'Retainage held (10%): $4,500.00',
        'Current payment due: $40,500.00',
      ]),
    );
    await addDocuments(desk, { vault: vault.id, queue: 'AP Inbox', paths: [file] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return vault;
}
