// A CSV bridge folder on the real disk: six small good files, any of which a test replaces or leaves out.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InvoiceId, QueueId, VaultId } from '../../source/domain/ids.js';
import { emptyHeader, type Invoice, type InvoiceLine } from '../../source/domain/invoice.js';
import { cents, parseMoney } from '../../source/domain/money.js';
import { tempDir } from '../helpers/temp.js';
import { testLine } from '../helpers/invoices.js';

export const GOOD_FILES: Record<string, string> = {
  'vendors.csv': 'code,name,status\nABC-CON,ABC Concrete Co.,active\nOLD-01,Old Vendor,inactive\n',
  'jobs.csv': 'code,name,status\n2301,Harbor Point Tower,open\n1999,Old Job,closed\n',
  'cost_codes.csv': 'job,code,description\n2301,03-300,Cast-in-place concrete\n2301,03-350,Concrete slabs\n',
  'commitments.csv': 'code,vendor,job,type,status,amount,remaining\nSC-2301-01,ABC-CON,2301,subcontract,open,301399.75,250000.00\n',
  'ap_invoices.csv': 'vendor,invoice_number,amount,date\nABC-CON,ABC-0987,12480.00,2026-06-30\n',
  'checks.csv': 'check_number,check_date,vendor,invoice_number,amount,method\n',
};

/** A folder holding the good files, with `changes` written over them (null leaves a file out). */
export async function ledgerFolder(changes: Record<string, string | Uint8Array | null> = {}): Promise<string> {
  const dir = await tempDir('apdesk-ledger-');
  const files: Record<string, string | Uint8Array | null> = { ...GOOD_FILES, ...changes };
  for (const [name, content] of Object.entries(files)) {
    if (content !== null) await writeFile(join(dir, name), content);
  }
  return dir;
}

export function line(overrides: Partial<Omit<InvoiceLine, 'amount' | 'retainage'>> & { amount: string; retainage?: string }): InvoiceLine {
  const { amount, retainage, ...rest } = overrides;
  return testLine({ ...rest, amount: parseMoney(amount), retainage: parseMoney(retainage ?? '0') });
}

/** An approved invoice with the given lines; the total is their sum unless given. */
export function invoice(id: string, lines: InvoiceLine[], header: Partial<Invoice['header']> = {}): Invoice {
  const total = lines.reduce((sum, entry) => sum + entry.amount, 0);
  return {
    id: id as InvoiceId,
    vaultId: 'harbor' as VaultId,
    queueId: 'inbox' as QueueId,
    status: 'approved',
    header: {
      ...emptyHeader(),
      vendor: 'ABC-CON',
      invoiceNumber: `N-${id}`,
      invoiceDate: '2026-11-20',
      dueDate: '2026-12-20',
      total: cents(total),
      retainage: null,
      ...header,
    },
    lines,
    source: { kind: 'manual' },
    attachments: [],
    flags: [],
    audit: [],
    createdAt: '2026-11-20T00:00:00.000Z',
    updatedAt: '2026-11-20T00:00:00.000Z',
  };
}
