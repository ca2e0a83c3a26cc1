// A Procore invoice's attachments merged into one PDF, with real files made here: the pages in
// attachment order, images as pages (EXIF orientation shown), and every file that cannot be merged kept as it came.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { PDFArray, PDFDocument, PDFRawStream, StandardFonts, decodePDFRawStream, type PDFPage } from '@cantoo/pdf-lib';
import { MergeDeadlineError, mergeAttachments } from '../../source/documents/merge.js';
import { applicationForPaymentPdf } from '../../source/documents/demo-pdf.js';
import { jpeg, png } from '../helpers/files.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A PDF whose pages are `size` points and say `label` and their number. */
async function pdf(pages: number, label: string, size: [number, number] = [612, 792], encrypt?: { userPassword: string }): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) doc.addPage(size).drawText(`${label} page ${n}`, { x: 20, y: 20, size: 12, font });
  if (encrypt) doc.encrypt({ userPassword: encrypt.userPassword, ownerPassword: 'owner-secret' });
  return doc.save();
}

/** What a page draws, decoded: the text pdf-lib writes with a standard font is a hex string. */
function drawn(page: PDFPage): string {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => page.doc.context.lookup(ref)) : [contents];
  return streams.map((stream) => (stream instanceof PDFRawStream ? Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1') : '')).join('\n');
}
const hex = (text: string) => Buffer.from(text, 'latin1').toString('hex').toUpperCase();

/** A JPEG with an EXIF block (APP1) holding just the orientation tag, as a phone camera writes it. */
function withOrientation(image: Uint8Array, orientation: number): Uint8Array {
  // Big-endian TIFF: header, one IFD of one entry (0x0112, SHORT, count 1, value), no next IFD.
  const tiff = Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  return Buffer.concat([image.subarray(0, 2), app1, image.subarray(2)]);
}

const sizes = async (bytes: Uint8Array) => (await PDFDocument.load(bytes)).getPages().map((page) => page.getSize()).map(({ width, height }) => [width, height]);

describe('mergeAttachments', () => {
  it('merges two PDFs, a JPEG and a PNG into one PDF, in attachment order, whatever the files are named', async () => {
    const files = [
      { name: 'ABC-1068.pdf', bytes: await pdf(3, 'Application', [612, 792]) },
      { name: 'site-photo.jpg', bytes: jpeg(64, 32) },
      { name: 'lien-waiver.pdf', bytes: await pdf(2, 'Waiver', [595, 842]) },
      // A PNG named as a PDF: the bytes decide.
      { name: 'delivery-ticket.pdf', bytes: png(40, 50) },
    ];
    const result = await mergeAttachments(files);
    expect(result.kept).toEqual([]);
    expect(result.merged).toEqual([
      { name: 'ABC-1068.pdf', pages: 3 },
      { name: 'site-photo.jpg', pages: 1 },
      { name: 'lien-waiver.pdf', pages: 2 },
      { name: 'delivery-ticket.pdf', pages: 1 },
    ]);
    expect(result.pages).toBe(7);
    expect(await sizes(result.pdf!)).toEqual([[612, 792], [612, 792], [612, 792], [64, 32], [595, 842], [595, 842], [40, 50]]);
    const merged = await PDFDocument.load(result.pdf!);
    expect(drawn(merged.getPage(2))).toContain(hex('Application page 3'));
    expect(drawn(merged.getPage(4))).toContain(hex('Waiver page 1'));
  });

  it('decrypts a PDF encrypted with an empty user password, and its pages keep what they draw', async () => {
    const encrypted = await applicationForPaymentPdf({
      vendorName: 'Blue Line Electric',
      title: 'BLE-5512',
      heading: ['Invoice BLE-5512'],
      items: [{ label: 'Rough-in', amount: '12,500.00' }],
      totals: [{ label: 'Current payment due', amount: '12,500.00' }],
      pages: 2,
      encrypted: true,
      date: new Date('2026-11-05T00:00:00Z'),
    });
    // The file really is encrypted: its page text is not readable in the bytes.
    expect(Buffer.from(encrypted).toString('latin1')).toContain('/Encrypt');
    const result = await mergeAttachments([{ name: 'BLE-5512.pdf', bytes: encrypted }, { name: 'photo.jpg', bytes: jpeg(16, 16) }]);
    expect(result.kept).toEqual([]);
    expect(result.merged).toEqual([{ name: 'BLE-5512.pdf', pages: 2 }, { name: 'photo.jpg', pages: 1 }]);
    expect(Buffer.from(result.pdf!).toString('latin1')).not.toContain('/Encrypt');
    const merged = await PDFDocument.load(result.pdf!);
    expect(drawn(merged.getPage(0))).toContain(hex('Blue Line Electric'));
    expect(drawn(merged.getPage(1))).toContain(hex('CONTINUATION SHEET'));
  });

  it('keeps a PDF that needs a real password, byte for byte, and merges the others', async () => {
    const secured = await pdf(1, 'Secret', [612, 792], { userPassword: 'hunter2' });
    const result = await mergeAttachments([
      { name: 'ABC-1041.pdf', bytes: await pdf(2, 'Application') },
      { name: 'ABC-1041-secured.pdf', bytes: secured },
      { name: 'photo.jpg', bytes: jpeg(16, 16) },
    ]);
    expect(result.merged).toEqual([{ name: 'ABC-1041.pdf', pages: 2 }, { name: 'photo.jpg', pages: 1 }]);
    expect(result.pages).toBe(3);
    expect(result.kept).toHaveLength(1);
    expect(result.kept[0]!.bytes).toBe(secured);
    expect(result.kept[0]).toMatchObject({ name: 'ABC-1041-secured.pdf', contentType: 'application/pdf' });
    expect(result.kept[0]!.reason).toMatch(/^ABC-1041-secured\.pdf needs a password to open; it is kept as it is beside the merged PDF/);
  });

  it('keeps a PDF cut short, images cut short and a text file, and says why, naming each', async () => {
    const whole = await pdf(2, 'Application');
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    const photo = jpeg(64, 64);
    const cutPhoto = photo.subarray(0, photo.length - 4);
    const notes = new TextEncoder().encode('Please pay by Friday.\n');
    const picture = png(200, 100);
    const cutPicture = picture.subarray(0, picture.length / 2);
    const result = await mergeAttachments([
      { name: 'scan.pdf', bytes: cut },
      { name: 'notes.pdf', bytes: notes },
      { name: 'photo.jpg', bytes: cutPhoto },
      { name: 'ticket.png', bytes: cutPicture },
      { name: 'waiver.pdf', bytes: await pdf(1, 'Waiver') },
    ]);
    expect(result.merged).toEqual([{ name: 'waiver.pdf', pages: 1 }]);
    expect(result.pages).toBe(1);
    expect(result.kept.map(({ name, bytes, contentType }) => ({ name, bytes, contentType }))).toEqual([
      { name: 'scan.pdf', bytes: cut, contentType: 'application/pdf' },
      { name: 'notes.pdf', bytes: notes, contentType: null },
      { name: 'photo.jpg', bytes: cutPhoto, contentType: 'image/jpeg' },
      { name: 'ticket.png', bytes: cutPicture, contentType: 'image/png' },
    ]);
    const [scan, text, image, picturePage] = result.kept.map((file) => file.reason);
    expect(scan).toMatch(/^scan\.pdf is not a readable PDF: .*cut short.*; it is kept as it is beside the merged PDF/);
    expect(text).toBe('notes.pdf is not a PDF, JPEG or PNG; it is kept as it is beside the merged PDF');
    expect(image).toMatch(/^photo\.jpg is not a readable JPEG: .*cut short/);
    expect(picturePage).toMatch(/^ticket\.png is not a readable PNG: /);
  });

  it('turns a JPEG by its EXIF orientation: 6 is shown turned a quarter clockwise, 3 upside down, 1 as stored', async () => {
    const wide = jpeg(64, 32);
    const result = await mergeAttachments([
      { name: 'phone-portrait.jpg', bytes: withOrientation(wide, 6) },
      { name: 'upside-down.jpg', bytes: withOrientation(wide, 3) },
      { name: 'upright.jpg', bytes: withOrientation(wide, 1) },
      { name: 'mirrored.jpg', bytes: withOrientation(wide, 2) },
    ]);
    expect(result.pages).toBe(4);
    const pages = (await PDFDocument.load(result.pdf!)).getPages();
    expect(pages.map((page) => page.getRotation().angle)).toEqual([90, 180, 0, 0]);
    // The page holds the picture as stored; turned 90°, it is shown 32 wide and 64 tall.
    expect(pages.map((page) => [page.getWidth(), page.getHeight()])).toEqual([[64, 32], [64, 32], [64, 32], [64, 32]]);
    // The mirrored one is drawn flipped: its image is scaled by a negative width.
    expect(drawn(pages[3]!)).toMatch(/-64 0 0 32 \d+ 0 cm/);
    expect(drawn(pages[2]!)).toMatch(/64 0 0 32 0 0 cm/);
  });

  it('scales a turned photo to fit the page as it is shown', async () => {
    // 1,600 × 1,000 stored, shown 1,000 wide and 1,600 tall: the height (792) decides the scale.
    const result = await mergeAttachments([{ name: 'tall.jpg', bytes: withOrientation(jpeg(1600, 1000), 8) }]);
    const [page] = (await PDFDocument.load(result.pdf!)).getPages();
    expect(page!.getRotation().angle).toBe(270);
    expect(page!.getWidth()).toBeCloseTo(792);
    expect(page!.getHeight()).toBeCloseTo(495);
  });

  it('stops at the deadline with an error the caller can record', async () => {
    const big = await pdf(100, 'Continuation sheet');
    const error = await mergeAttachments([{ name: 'big.pdf', bytes: big }], { deadlineMs: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MergeDeadlineError);
    expect((error as Error).message).toBe('merging big.pdf took longer than 1 ms and was stopped (a damaged file can keep the PDF library busy forever); keep the files as they are and look at them by hand');
    // The stopped worker is not the one the next merge gets: it merges, and so does the one after.
    for (const pages of [2, 3]) {
      const next = await mergeAttachments([{ name: `next-${pages}.pdf`, bytes: await pdf(pages, 'Next') }]);
      expect(next.pages).toBe(pages);
    }
  });

  it('with nothing mergeable, gives no PDF and keeps every file byte for byte', async () => {
    const files = [
      { name: 'secured.pdf', bytes: await pdf(1, 'Secret', [612, 792], { userPassword: 'x' }) },
      { name: 'readme.txt', bytes: new TextEncoder().encode('hello') },
      { name: 'empty.png', bytes: new Uint8Array(0) },
    ];
    const result = await mergeAttachments(files);
    expect(result.pdf).toBeNull();
    expect(result.pages).toBe(0);
    expect(result.merged).toEqual([]);
    expect(result.kept.map((file) => file.bytes)).toEqual(files.map((file) => file.bytes));
    expect(result.kept.map((file) => file.reason)).toEqual([
      'secured.pdf needs a password to open; it is kept as it is with the invoice (ask the sender for a copy without a password)',
      'readme.txt is not a PDF, JPEG or PNG; it is kept as it is with the invoice',
      'empty.png is not a PDF, JPEG or PNG; it is kept as it is with the invoice',
    ]);
  });

  it('runs from the compiled dist/ as node runs apdesk, its worker found beside it', async () => {
    const script = `
      import { mergeAttachments } from './dist/documents/merge.js';
      import { readFileSync } from 'node:fs';
      const { PDFDocument } = await import('@cantoo/pdf-lib');
      const doc = await PDFDocument.create(); doc.addPage(); doc.addPage();
      const result = await mergeAttachments([{ name: 'a.pdf', bytes: await doc.save() }, { name: 'b.txt', bytes: new Uint8Array([1, 2]) }]);
      console.log(JSON.stringify({ pages: result.pages, merged: result.merged, kept: result.kept.map((file) => file.name) }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
    expect(JSON.parse(stdout)).toEqual({ pages: 2, merged: [{ name: 'a.pdf', pages: 2 }], kept: ['b.txt'] });
  });
});
