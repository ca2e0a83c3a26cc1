// Turning the files of a document into its one PDF: PDFs page by page, JPEG and PNG as pages.
import { PDFDocument } from '@cantoo/pdf-lib';
import type { ContentType } from '../domain/invoice.js';
import { lastSection, pagesProblem, sectionsProblem } from './pdf-whole.js';

export interface SourceFile {
  name: string;
  bytes: Uint8Array;
  contentType: ContentType;
}

export class DocumentError extends Error {
  /** `reason` reads after the file's name: "is not a readable PDF: it is damaged or incomplete — …". */
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} ${reason}`);
    this.name = 'DocumentError';
  }
}

// US Letter in points: images larger than a page are scaled down to fit it.
const PAGE = { width: 612, height: 792 };

/** The reason for a file that is not a whole PDF, and what to do about it. */
function damaged(file: SourceFile, problem: string): DocumentError {
  return new DocumentError(file.name, `is not a readable PDF: it is damaged or incomplete — ${problem}; get the file again, or save it again as PDF from the program that made it`);
}

/**
 * The file as stored (for its cross-references) and as it reads (decrypted with the empty
 * password most encrypted invoices carry). Never the stored pages of an encrypted file: those are
 * ciphertext, blank on screen. A file that needs a real password is refused, saying so.
 */
async function loadPdf(file: SourceFile): Promise<{ stored: PDFDocument; readable: PDFDocument }> {
  let stored: PDFDocument;
  try {
    stored = await PDFDocument.load(file.bytes, { ignoreEncryption: true, updateMetadata: false });
  } catch (error) {
    throw damaged(file, `it cannot be parsed (${(error as Error).message.split('\n')[0]})`);
  }
  if (!stored.isEncrypted) return { stored, readable: stored };
  let readable: PDFDocument;
  try {
    readable = await PDFDocument.load(file.bytes, { password: '', updateMetadata: false });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0] ?? '';
    if (/password/i.test(reason)) throw new DocumentError(file.name, 'needs a password to open; ask the sender for a copy without a password');
    throw damaged(file, `it cannot be decrypted (${reason})`);
  }
  if (readable.isEncrypted) throw new DocumentError(file.name, 'needs a password to open; ask the sender for a copy without a password');
  return { stored, readable };
}

/**
 * Page count of a PDF that opens completely, or a DocumentError saying why it does not: a file
 * cut short or damaged is refused even where a lenient reader would still show some pages.
 */
export async function pdfPageCount(file: SourceFile): Promise<number> {
  // The end first: it is cheap, and a file cut short need not be parsed at all.
  const end = lastSection(file.bytes);
  if ('problem' in end) throw damaged(file, end.problem);
  const { stored, readable: doc } = await loadPdf(file);
  // The pages first: a missing page says more to a clerk than a cross-reference entry does.
  // Pages are checked as they read; cross-references as stored (decrypting rewrites them).
  const problem = pagesProblem(doc) ?? sectionsProblem(file.bytes, stored, end.offset);
  if (problem) throw damaged(file, problem);
  let pages: number;
  try {
    pages = doc.getPageCount();
  } catch (error) {
    throw damaged(file, `its page tree cannot be read (${(error as Error).message})`);
  }
  if (pages === 0) throw new DocumentError(file.name, 'is a PDF with no pages');
  return pages;
}

async function addImage(target: PDFDocument, file: SourceFile): Promise<void> {
  let image;
  try {
    image = file.contentType === 'image/png' ? await target.embedPng(file.bytes) : await target.embedJpg(file.bytes);
  } catch (error) {
    throw new DocumentError(file.name, `is not a readable ${file.contentType === 'image/png' ? 'PNG' : 'JPEG'} (${(error as Error).message})`);
  }
  const scale = Math.min(1, PAGE.width / image.width, PAGE.height / image.height);
  const width = image.width * scale;
  const height = image.height * scale;
  const page = target.addPage([Math.max(width, 1), Math.max(height, 1)]);
  page.drawImage(image, { x: 0, y: 0, width, height });
}

/** One image as a one-page PDF. */
export async function imageToPdf(file: SourceFile): Promise<{ bytes: Uint8Array; pages: number }> {
  const doc = await PDFDocument.create();
  doc.setProducer('apdesk');
  await addImage(doc, file);
  return { bytes: await doc.save(), pages: doc.getPageCount() };
}
