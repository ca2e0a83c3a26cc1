// Invoice files made on the spot: multi-page PDFs, a PNG and a baseline JPEG, all valid enough
// for real PDF readers (pdfinfo) to open what apdesk builds from them.
import { drawJpeg, drawPng } from '../../source/sandbox/images.js';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';

export async function pdfWithPages(pages: number, label = 'Invoice'): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) {
    const page = doc.addPage([612, 792]);
    page.drawText(`${label} page ${n} of ${pages}`, { x: 72, y: 700, size: 14, font });
  }
  return doc.save();
}

/** A solid-colour RGB PNG. */
export function png(width: number, height: number, rgb: [number, number, number] = [200, 60, 60]): Uint8Array {
  return drawPng(width, height, () => rgb);
}

/** A solid grey baseline JPEG. */
export function jpeg(width: number, height: number, grey = 200): Uint8Array {
  return drawJpeg(width, height, () => grey);
}
