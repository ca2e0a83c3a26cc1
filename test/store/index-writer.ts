// A separate apdesk process for the index tests: N transactions against vault 'v1', each adding
// invoices of its own (ids from FIRST up) and editing the invoices both processes share (1–50).
// With 'strict', any problem the store reports (an index it had to repair) fails the process.
import { Store } from '../../source/store/store.js';
import { edit, invoiceFor, random } from './index-fixtures.js';

const [dataDir, seedText, countText, firstText, mode] = process.argv.slice(2);
const next = random(Number(seedText));
const store = await Store.open(dataDir!, { user: `writer-${seedText}`, command: 'index-writer', lockTimeoutMs: 60_000 });
let own = Number(firstText);
process.stdout.write('ready\n');
for (let t = 0; t < Number(countText); t++) {
  await store.transact(async (tx) => {
    for (let p = 0; p < 3; p++) {
      if (next() < 0.5) {
        await tx.putInvoice(invoiceFor('v1', own++, next, tx.now));
      } else {
        const invoice = await tx.getInvoice('v1', `INV-${String(1 + Math.floor(next() * 50)).padStart(6, '0')}`);
        if (!invoice) continue;
        edit(invoice, next);
        await tx.putInvoice(invoice);
      }
    }
    // A duplicate check inside the transaction, as an import does it, sees the puts above.
    await tx.invoicesByNumber('v1', 'ABC-CON', 'A-1');
  });
}
if (mode === 'strict' && store.problems.length > 0) {
  process.stderr.write(`problems: ${store.problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('done\n');
