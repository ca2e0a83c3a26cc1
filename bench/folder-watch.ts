// How fast the folder watch turns an inbox of files into documents: 100 small PDFs (and 20
// ten-page ones) dropped into a queue's inbox, one run to look, one to take them. Prints figures;
// asserts nothing.
//   npx tsx bench/folder-watch.ts [--files 100]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { openDesk } from '../source/app/desk.js';
import { folderWatch } from '../source/sync/folder-watch.js';

const { values } = parseArgs({ options: { files: { type: 'string' } } });
const count = Number(values.files ?? 100);

async function pdf(pages: number, label: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) doc.addPage([612, 792]).drawText(`${label} page ${n}`, { x: 72, y: 700, size: 14, font });
  return doc.save();
}

async function bench(files: number, pages: number): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'apdesk-bench-watch-'));
  try {
    const inbox = join(root, 'inbox');
    await mkdir(inbox);
    const desk = await openDesk({ dataDir: join(root, 'data'), command: 'bench/folder-watch.ts' });
    await desk.vaults.add({ name: 'Bench', accounting: 'sage300' });
    await desk.vaults.addQueue({ vault: 'bench', name: 'Inbox' });
    await desk.vaults.setInbox({ vault: 'bench', queue: 'Inbox', dir: inbox });
    let bytes = 0;
    for (let n = 0; n < files; n++) {
      const body = await pdf(pages, `file ${n}`);
      bytes += body.byteLength;
      await writeFile(join(inbox, `scan-${String(n).padStart(4, '0')}.pdf`), body);
    }
    // Loaded once per process in any real run: kept out of the figure.
    await import('../source/documents/pdf.js');
    const vault = await desk.vaults.get('bench');
    const run = folderWatch({ settleMs: 0 });
    const context = { desk, vault, signal: new AbortController().signal, procore: () => Promise.reject(new Error('no Procore')), report: () => undefined, now: () => Date.now() };
    const lookStarted = performance.now();
    await run(context);
    const looked = performance.now();
    const report = await run(context);
    const took = performance.now();
    const seconds = (took - looked) / 1000;
    console.log(
      `${files} PDFs of ${pages} page${pages === 1 ? '' : 's'} (${(bytes / files / 1024).toFixed(1)} KB each): ` +
        `look ${(looked - lookStarted).toFixed(0)} ms, take ${seconds.toFixed(2)} s = ${(report.documentsAdded.length / seconds).toFixed(1)} files/s ` +
        `(${report.documentsAdded.length} added, ${report.errors.length} errors)`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

console.log(`load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
await bench(count, 1);
await bench(Math.max(1, Math.round(count / 5)), 10);
