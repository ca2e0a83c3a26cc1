// Identifiers. Procore ids are kept as strings end to end: some exceed 2^53 and would lose
// digits as JavaScript numbers.

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type VaultId = Brand<string, 'VaultId'>;
export type QueueId = Brand<string, 'QueueId'>;
export type InvoiceId = Brand<string, 'InvoiceId'>;
export type ProcoreId = Brand<string, 'ProcoreId'>;

const PROCORE_ID = /^\d{1,30}$/;

export function procoreId(value: string | number | bigint, what = 'Procore id'): ProcoreId {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new Error(`${what} ${value} lost precision before it reached apdesk; parse Procore JSON losslessly`);
  }
  const text = String(value);
  if (!PROCORE_ID.test(text)) throw new Error(`${what} '${text}' is not a Procore id`);
  return text as ProcoreId;
}

/** "Demo Construction" → "demo-construction": a stable, typeable id derived from a name. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

/** The id of an invoice imported from Procore: the same requisition always maps to the same invoice. */
export function procoreInvoiceId(companyId: ProcoreId, requisitionId: ProcoreId): InvoiceId {
  return `PC-${companyId}-${requisitionId}` as InvoiceId;
}

export function manualInvoiceId(sequence: number): InvoiceId {
  return `INV-${String(sequence).padStart(6, '0')}` as InvoiceId;
}
