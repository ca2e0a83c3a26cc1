// Adding files to a queue as unprocessed documents. Every file is read and checked before
// anything is written, so one bad file leaves the store as it was.
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { remedy, UserError } from '../domain/errors.js';
import { newDocument, type Invoice } from '../domain/invoice.js';
import { requireQueue, requireRole, requireVault, type Vault } from '../domain/vault.js';
import { sniffContentType } from '../documents/file-type.js';
import { removeDocumentFiles, writeDocumentFiles, type DocumentFile } from '../store/documents.js';
import type { DeskContext } from './context.js';

/** Larger than any invoice scan we have seen; a bigger file is almost certainly a mistake. */
export const MAX_DOCUMENT_BYTES = 200 * 1024 * 1024;

interface PreparedFile {
  path: string;
  files: DocumentFile[];
  pages: number;
  /** Of the file as given: the same scan added twice has the same hash. */
  sha256: string;
}

async function prepare(path: string): Promise<PreparedFile> {
  const name = basename(path);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UserError(`${path} is not a file; give the path of a PDF, JPEG or PNG`);
    size = info.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path} does not exist; check the path`);
    if (code === 'EACCES') throw new UserError(`${path} cannot be read (permission denied)`);
    throw new UserError(`${path} cannot be read (${(error as Error).message})`);
  }
  if (size === 0) throw new UserError(`${path} is empty; nothing to add`);
  if (size > MAX_DOCUMENT_BYTES) throw new UserError(`${path} is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB`);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${path} cannot be read (${code === 'EACCES' ? 'permission denied' : (error as Error).message})`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const contentType = sniffContentType(bytes);
  if (!contentType) {
    throw new UserError(`${path} is not a PDF, JPEG or PNG file; only those can be added to a queue`);
  }
  // pdf-lib takes ~0.4 s to load: only commands that handle documents pay for it.
  const { DocumentError, imageToPdf, pdfPageCount } = await import('../documents/pdf.js');
  try {
    if (contentType === 'application/pdf') {
      const pages = await pdfPageCount({ name, bytes, contentType });
      return { path, pages, sha256, files: [{ role: 'document', name, bytes, contentType, pages }] };
    }
    const pdf = await imageToPdf({ name, bytes, contentType });
    return {
      path,
      sha256,
      pages: pdf.pages,
      files: [
        { role: 'document', name: `${name}.pdf`, bytes: pdf.bytes, contentType: 'application/pdf', pages: pdf.pages },
        { role: 'original', name, bytes, contentType, pages: null },
      ],
    };
  } catch (error) {
    if (error instanceof DocumentError) throw new UserError(`${path} ${error.reason}`);
    throw error;
  }
}

/**
 * The same file given twice, or already in the vault, would become two invoices and, one day,
 * a double payment: refused, naming the earlier invoice, unless the caller allows duplicates.
 */
async function refuseDuplicates(desk: DeskContext, vault: Vault, queue: string, prepared: readonly PreparedFile[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const file of prepared) {
    const earlier = seen.get(file.sha256);
    if (earlier) throw duplicateError(`${file.path} is the same file as ${earlier}, given twice`, vault, queue);
    seen.set(file.sha256, file.path);
  }
  // The vault's index knows the hash of the file each document was made from.
  for (const [sha256, path] of seen) {
    const [same] = await desk.store.invoicesByFileHash(vault.id, sha256);
    if (same) throw duplicateError(`${path} is already in vault '${vault.name}' as invoice ${same.id} (${same.status})`, vault, queue);
  }
}

function duplicateError(what: string, vault: Vault, queue: string): UserError {
  return new UserError(`${what}; nothing was added — add it again on purpose with --allow-duplicate`, {
    remedy: remedy('invoices.allow-duplicate', { vault: vault.id, queue }),
  });
}

export async function addDocuments(
  desk: DeskContext,
  input: { vault: string; queue: string; paths: readonly string[]; allowDuplicate?: boolean },
): Promise<Invoice[]> {
  if (input.paths.length === 0) throw new UserError('give at least one FILE to add');
  // Fail on an unknown vault or queue before reading any file.
  const settings = await desk.store.settings();
  const vault = requireVault(settings.vaults, input.vault);
  requireQueue(vault, input.queue);
  requireRole(settings.users, desk.user, ['admin', 'processor'], 'add documents');
  const prepared: PreparedFile[] = [];
  for (const path of input.paths) prepared.push(await prepare(resolve(path)));
  if (!input.allowDuplicate) await refuseDuplicates(desk, vault, input.queue, prepared);

  const written: { vaultId: string; id: string }[] = [];
  try {
    return await desk.store.transact(async (tx) => {
      requireRole(tx.settings.users, tx.user, ['admin', 'processor'], 'add documents');
      const current = requireVault(tx.settings.vaults, vault.id);
      const queue = requireQueue(current, input.queue);
      const added: Invoice[] = [];
      for (const file of prepared) {
        const id = await tx.nextInvoiceId(current.id);
        const attachments = await writeDocumentFiles(tx, current.id, id, file.files);
        written.push({ vaultId: current.id, id });
        const invoice = newDocument({
          id,
          vaultId: current.id,
          queueId: queue.id,
          source: { kind: 'manual' },
          attachments,
          user: tx.user,
          now: tx.now,
          detail: `added ${basename(file.path)} (${file.pages} page${file.pages === 1 ? '' : 's'}) to queue '${queue.name}'`,
        });
        await tx.putInvoice(invoice);
        added.push(invoice);
      }
      return added;
    }).then((added) => {
      desk.events.emit('invoices.changed', { vaultId: vault.id, ids: added.map((invoice) => invoice.id), action: 'added' });
      return added;
    });
  } catch (error) {
    for (const doc of written) await removeDocumentFiles(desk.dataDir, doc.vaultId, doc.id).catch(() => undefined);
    throw error;
  }
}
