// The merge itself, run in a worker thread so a file that makes pdf-lib loop can be stopped at the
// deadline (merge.ts starts it and terminates it). It answers with indices, never with the files it was given.
import { parentPort } from 'node:worker_threads';
import { PDFDocument, degrees } from '@cantoo/pdf-lib';
import exifr from 'exifr';
import type { ContentType } from '../domain/invoice.js';
import { sniffContentType } from './file-type.js';
import { lastSection, pagesProblem, sectionsProblem } from './pdf-whole.js';

export interface MergeRequest {
  files: { name: string; bytes: Uint8Array }[];
}

/** What the worker found, file by file in attachment order; the caller words the reasons and keeps the bytes. */
export interface MergeReply {
  pdf: Uint8Array | null;
  pages: number;
  files: ({ index: number; contentType: ContentType; pages: number } | { index: number; contentType: ContentType | null; problem: Problem })[];
}

/** Why a file was not merged, as a phrase that reads after its name. */
export type Problem = { kind: 'password' } | { kind: 'unknown-type' } | { kind: 'damaged'; what: string; detail: string };

// US Letter in points: images larger than a page are scaled down to fit it.
const PAGE = { width: 612, height: 792 };

class NotMerged extends Error {
  constructor(readonly problem: Problem) {
    super(problem.kind);
  }
}

const LABEL = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG', none: 'file' } as const;
const damaged = (what: string, detail: string) => new NotMerged({ kind: 'damaged', what, detail });
const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/**
 * A PDF that opens without a password (an empty user password is decrypted) and is whole, or why not.
 * The cross-reference sections are checked on the file as stored (decrypting rewrites the stream
 * they may be in), the pages on the file as decrypted (as stored, objects packed in an encrypted
 * object stream cannot be read at all).
 */
async function openPdf(bytes: Uint8Array): Promise<PDFDocument> {
  const end = lastSection(bytes);
  if ('problem' in end) throw damaged('PDF', end.problem);
  let stored: PDFDocument;
  try {
    stored = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
  } catch (error) {
    throw damaged('PDF', `it cannot be parsed (${firstLine(error)})`);
  }
  let doc = stored;
  if (stored.isEncrypted) {
    // Never merge the stored pages of an encrypted file: their content is ciphertext, blank on screen.
    try {
      doc = await PDFDocument.load(bytes, { password: '', updateMetadata: false });
    } catch (error) {
      // The fork says "NEEDS PASSWORD" when the empty password does not open the file.
      if (/password/i.test(firstLine(error))) throw new NotMerged({ kind: 'password' });
      throw damaged('PDF', `it cannot be decrypted (${firstLine(error)})`);
    }
    if (doc.isEncrypted) throw new NotMerged({ kind: 'password' });
  }
  const problem = pagesProblem(doc) ?? sectionsProblem(bytes, stored, end.offset);
  if (problem) throw damaged('PDF', problem);
  if (doc.getPageCount() === 0) throw damaged('PDF', 'it has no pages');
  return doc;
}

/**
 * EXIF orientation as how the page is shown: /Rotate turns it clockwise, and the mirrored
 * orientations (2, 4, 5, 7) are a horizontal flip drawn into the page before that turn.
 */
const ORIENTATION: Record<number, { rotate: 0 | 90 | 180 | 270; mirror: boolean }> = {
  1: { rotate: 0, mirror: false },
  2: { rotate: 0, mirror: true },
  3: { rotate: 180, mirror: false },
  4: { rotate: 180, mirror: true },
  5: { rotate: 270, mirror: true },
  6: { rotate: 90, mirror: false },
  7: { rotate: 90, mirror: true },
  8: { rotate: 270, mirror: false },
};

async function jpegOrientation(bytes: Uint8Array): Promise<(typeof ORIENTATION)[number]> {
  let value: number | undefined;
  try {
    value = await exifr.orientation(bytes);
  } catch {
    // Damaged EXIF says nothing about the picture: it is shown as stored.
  }
  return ORIENTATION[value ?? 1] ?? ORIENTATION[1]!;
}

/** pdf-lib reads only a JPEG's header; a file cut short must still be refused, not drawn half grey. */
function jpegEndProblem(bytes: Uint8Array): string | null {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const scan = data.indexOf(Buffer.from([0xff, 0xda]));
  if (scan < 0) return 'it has no image data';
  if (data.lastIndexOf(Buffer.from([0xff, 0xd9])) < scan) return 'it stops before its end marker, so it was cut short';
  return null;
}

async function addImage(target: PDFDocument, bytes: Uint8Array, contentType: 'image/jpeg' | 'image/png'): Promise<void> {
  const what = LABEL[contentType];
  if (contentType === 'image/jpeg') {
    const problem = jpegEndProblem(bytes);
    if (problem) throw damaged(what, problem);
  }
  let image;
  try {
    image = contentType === 'image/png' ? await target.embedPng(bytes) : await target.embedJpg(bytes);
  } catch (error) {
    throw damaged(what, firstLine(error));
  }
  const { rotate, mirror } = contentType === 'image/jpeg' ? await jpegOrientation(bytes) : ORIENTATION[1]!;
  const turned = rotate === 90 || rotate === 270;
  // Fit the page as it is shown, which is the stored image turned.
  const shown = turned ? { width: image.height, height: image.width } : { width: image.width, height: image.height };
  const scale = Math.min(1, PAGE.width / shown.width, PAGE.height / shown.height);
  const width = Math.max(image.width * scale, 1);
  const height = Math.max(image.height * scale, 1);
  const page = target.addPage([width, height]);
  page.drawImage(image, mirror ? { x: width, y: 0, width: -width, height } : { x: 0, y: 0, width, height });
  if (rotate) page.setRotation(degrees(rotate));
}

export async function merge(request: MergeRequest): Promise<MergeReply> {
  const target = await PDFDocument.create();
  target.setProducer('apdesk');
  const files: MergeReply['files'] = [];
  for (const [index, file] of request.files.entries()) {
    const contentType = sniffContentType(file.bytes);
    const before = target.getPageCount();
    try {
      if (contentType === null) throw new NotMerged({ kind: 'unknown-type' });
      if (contentType === 'application/pdf') {
        const source = await openPdf(file.bytes);
        const pages = await target.copyPages(source, source.getPageIndices());
        for (const page of pages) target.addPage(page);
      } else {
        await addImage(target, file.bytes, contentType);
      }
      files.push({ index, contentType, pages: target.getPageCount() - before });
    } catch (error) {
      // A file that failed half way must leave no page behind.
      while (target.getPageCount() > before) target.removePage(target.getPageCount() - 1);
      files.push({ index, contentType, problem: error instanceof NotMerged ? error.problem : { kind: 'damaged', what: LABEL[contentType ?? 'none'], detail: firstLine(error) } });
    }
  }
  const expected = files.reduce((total, file) => total + ('pages' in file ? file.pages : 0), 0);
  if (expected === 0) return { pdf: null, pages: 0, files };
  const pdf = await target.save();
  // The merged file is read back: its page count must be every merged file's pages, no more, no fewer.
  const pages = (await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount();
  if (pages !== expected) throw new Error(`the merged PDF has ${pages} pages where its files have ${expected}`);
  return { pdf, pages, files };
}

// One request at a time, as many as the parent sends: a worker kept warm saves ~1 s of start-up per merge.
parentPort?.on('message', (request: MergeRequest) => {
  merge(request).then(
    (reply) => parentPort!.postMessage({ ok: true, reply }, reply.pdf ? [reply.pdf.buffer as ArrayBuffer] : []),
    (error: unknown) => parentPort!.postMessage({ ok: false, message: firstLine(error) }),
  );
});
