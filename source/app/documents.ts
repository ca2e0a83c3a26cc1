// Adding files to a queue as unprocessed documents. Every file is read and checked before
// anything is written, so one bad file leaves the store as it was.
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { UserError } from '../domain/errors.js';
import { newDocument, type Invoice } from '../domain/invoice.js';
import { requireQueue, requireRole, requireVault } from '../domain/vault.js';
import { sniffContentType } from '../documents/file-type.js';
import { removeDocumentFiles, writeDocumentFiles, type DocumentFile } from '../store/documents.js';
import type { Desk } from './desk.js';

/** Larger than any invoice scan we have seen; a bigger file is almost certainly a mistake. */
export const MAX_DOCUMENT_BYTES = 200 * 1024 * 1024;

interface PreparedFile {
  path: string;
  files: DocumentFile[];
  pages: number;
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
  const contentType = sniffContentType(bytes);
  if (!contentType) {
    throw new UserError(`${path} is not a PDF, JPEG or PNG file; only those can be added to a queue`);
  }
  // pdf-lib takes ~0.4 s to load: only commands that handle documents pay for it.
  const { DocumentError, imageToPdf, pdfPageCount } = await import('../documents/pdf.js');
  try {
    if (contentType === 'application/pdf') {
      const pages = await pdfPageCount({ name, bytes, contentType });
      return { path, pages, files: [{ role: 'document', name, bytes, contentType, pages }] };
    }
    const pdf = await imageToPdf({ name, bytes, contentType });
    return {
      path,
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

export async function addDocuments(
  desk: Desk,
  input: { vault: string; queue: string; paths: readonly string[] },
): Promise<Invoice[]> {
  if (input.paths.length === 0) throw new UserError('give at least one FILE to add');
  // Fail on an unknown vault or queue before reading any file.
  const settings = await desk.store.settings();
  requireQueue(requireVault(settings.vaults, input.vault), input.queue);
  const prepared: PreparedFile[] = [];
  for (const path of input.paths) prepared.push(await prepare(resolve(path)));

  const written: { vaultId: string; id: string }[] = [];
  try {
    return await desk.store.transact(async (tx) => {
      requireRole(tx.settings.users, tx.user, ['admin', 'processor'], 'add documents');
      const vault = requireVault(tx.settings.vaults, input.vault);
      const queue = requireQueue(vault, input.queue);
      const added: Invoice[] = [];
      for (const file of prepared) {
        const id = await tx.nextInvoiceId(vault.id);
        const attachments = await writeDocumentFiles(tx.dataDir, vault.id, id, file.files);
        written.push({ vaultId: vault.id, id });
        const invoice = newDocument({
          id,
          vaultId: vault.id,
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
    });
  } catch (error) {
    for (const doc of written) await removeDocumentFiles(desk.dataDir, doc.vaultId, doc.id).catch(() => undefined);
    throw error;
  }
}
