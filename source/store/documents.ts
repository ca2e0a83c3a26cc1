// The files of a document: written under a temporary name and renamed into place, so an
// invoice is only ever recorded for files that are whole on disk.
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { Attachment, ContentType } from '../domain/invoice.js';
import { layout } from './layout.js';

export interface DocumentFile {
  role: Attachment['role'];
  name: string;
  bytes: Uint8Array;
  contentType: ContentType | null;
  pages: number | null;
}

/** A file name safe on every filesystem, keeping what a person would recognise. */
export function safeFileName(name: string): string {
  const base = basename(name).normalize('NFC').replace(/[^\p{L}\p{N}._ -]+/gu, '_').replace(/^\.+/, '').trim();
  return base.slice(-120) || 'file';
}

/**
 * Writes an invoice's files into its folder, inside the transaction that records the invoice. The
 * transaction notes the folder first, so that if the process dies before the invoice is on disk,
 * the next transaction in this vault removes the folder instead of leaving it behind.
 */
export async function writeDocumentFiles(
  tx: { dataDir: string; noteDocumentFolder(vaultId: string, invoiceId: string): Promise<void> },
  vaultId: string,
  invoiceId: string,
  files: readonly DocumentFile[],
): Promise<Attachment[]> {
  const dataDir = tx.dataDir;
  await tx.noteDocumentFolder(vaultId, invoiceId);
  const rel = layout.documentsRel(vaultId, invoiceId);
  const finalDir = join(dataDir, rel);
  // Called under the data-dir lock, so one name does: a temporary folder already there is what a
  // writer killed before its commit left behind.
  const tempDir = `${finalDir}.tmp`;
  await rm(tempDir, { recursive: true, force: true });
  await mkdir(tempDir, { recursive: true });
  const attachments: Attachment[] = [];
  const used = new Set<string>();
  for (const file of files) {
    let name = file.role === 'document' ? 'document.pdf' : safeFileName(file.name);
    for (let n = 2; used.has(name); n++) name = name.replace(/(\.[^.]*)?$/, (ext) => `-${n}${ext}`);
    used.add(name);
    await writeFile(join(tempDir, name), file.bytes);
    attachments.push({
      role: file.role,
      name: file.role === 'document' ? file.name : name,
      path: join(rel, name),
      contentType: file.contentType,
      bytes: file.bytes.byteLength,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      pages: file.pages,
    });
  }
  // Files left by a run that died before recording this invoice (the same Procore requisition, or
  // a document whose id was never committed): replaced, never mixed in.
  if (await exists(finalDir)) await rm(finalDir, { recursive: true, force: true });
  await rename(tempDir, finalDir);
  return attachments;
}

export async function removeDocumentFiles(dataDir: string, vaultId: string, invoiceId: string): Promise<void> {
  await rm(join(dataDir, layout.documentsRel(vaultId, invoiceId)), { recursive: true, force: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
