// The demo vault that the first `npm start` creates, so a fresh clone shows a working desk.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDocuments } from './documents.js';
import { addQueue, addVault, setLicence } from './vaults.js';
import { addRoutingRule } from './rules.js';
import { setJob } from './jobs.js';
import type { Desk } from './desk.js';

export const DEMO_VAULT = 'Demo Construction';
export const DEMO_QUEUES = ['Procore Invoices', 'AP Inbox'] as const;

/** A one-page subcontractor invoice, drawn rather than shipped as a binary. */
export async function demoInvoicePdf(lines: readonly string[]): Promise<Uint8Array> {
  // Loaded here: the console imports this module on every start, and seeds a demo once.
  const { PDFDocument, StandardFonts, rgb } = await import('@cantoo/pdf-lib');
  const doc = await PDFDocument.create();
  doc.setTitle(lines[0] ?? 'Invoice');
  doc.setProducer('apdesk demo');
  const page = doc.addPage([612, 792]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  lines.forEach((line, index) => {
    page.drawText(line, { x: 56, y: 720 - index * 22, size: index === 0 ? 20 : 12, font: index === 0 ? bold : font, color: rgb(0.1, 0.1, 0.1) });
  });
  return doc.save();
}

export async function seedDemo(desk: Desk): Promise<void> {
  // The Procore and accounting services bring axios and csv-parse: loaded only when a demo is seeded.
  const [{ configure, setEnvironment }, { attachDemoLedger }] = await Promise.all([import('./procore.js'), import('./accounting.js')]);
  const vault = await addVault(desk, { name: DEMO_VAULT, accounting: 'sage300' });
  await setLicence(desk, { vault: vault.id, licence: 'procore', granted: true });
  await setLicence(desk, { vault: vault.id, licence: 'cloud-sync', granted: true });
  for (const name of DEMO_QUEUES) await addQueue(desk, { vault: vault.id, name });
  // The demo's Procore is the embedded sandbox; `apdesk procore connect --email --password` signs in.
  await setEnvironment(desk, { vault: vault.id, kind: 'local' });
  await configure(desk, { vault: vault.id, queue: 'Procore Invoices' });
  // The accounting side: the embedded ledger (codes match the sandbox), which pays exports after a minute.
  await attachDemoLedger(desk, { vault: vault.id });
  await setJob(desk, { vault: vault.id, kind: 'check-backfiller', enabled: true });
  // Whoever runs the demo reviews everything, so the whole loop can be walked through alone.
  await addRoutingRule(desk, vault.id, { name: 'Demo: every line to the demo user', reviewers: [{ user: desk.user, sequence: 1 }] });
  const dir = await mkdtemp(join(tmpdir(), 'apdesk-demo-'));
  try {
    const file = join(dir, 'ABC-Concrete-9348.pdf');
    await writeFile(
      file,
      await demoInvoicePdf([
        'INVOICE 9348',
        'ABC Concrete Inc. — 1200 Quarry Road',
        'Bill to: Demo Construction',
        'Job 2301 · Harbor View Medical Office',
        'Commitment SC-001 Concrete',
        'Work completed this period: $45,000.00',
        'Retainage held (10%): $4,500.00',
        'Current payment due: $40,500.00',
      ]),
    );
    await addDocuments(desk, { vault: vault.id, queue: 'AP Inbox', paths: [file] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
