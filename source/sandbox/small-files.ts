// Small real attachments for bulk seeds: a one-page PDF written out by hand (no PDF library to
// load, so a benchmark's seed stays fast), a small PNG and a small JPEG. Made once per process;
// every bulk-seeded attachment of a kind shares the same bytes.
import { drawJpeg, drawPng } from './images.js';

/** PDF string-literal text: backslashes and parentheses escaped, only printable ASCII kept. */
function pdfText(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (char) => `\\${char}`);
}

/**
 * A whole one-page PDF (US Letter) showing `lines` in Helvetica: five objects, a cross-reference
 * table whose offsets are counted as the file is written, and a trailer.
 */
export function onePagePdf(lines: readonly string[]): Uint8Array {
  const content = ['BT', '/F1 12 Tf', '56 720 Td', ...lines.flatMap((line, index) => [...(index ? ['0 -18 Td'] : []), `(${pdfText(line)}) Tj`]), 'ET'].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let text = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(Buffer.byteLength(text, 'latin1'));
    text += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(text, 'latin1');
  // Each row of the table is exactly 20 bytes, its end of line included.
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) text += `${String(offset).padStart(10, '0')} 00000 n \n`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(text, 'latin1');
}

export interface SmallAttachment {
  kind: 'pdf' | 'png' | 'jpeg';
  extension: string;
  contentType: string;
  bytes: Uint8Array;
}

let made: SmallAttachment[] | null = null;

/** The three small attachments, in the order bulk seeds attach them: PDF, PNG, JPEG. */
export function smallAttachments(): SmallAttachment[] {
  made ??= [
    { kind: 'pdf', extension: 'pdf', contentType: 'application/pdf', bytes: onePagePdf(['Application for payment', 'Bulk sandbox invoice', 'This period: see Procore']) },
    { kind: 'png', extension: 'png', contentType: 'image/png', bytes: drawPng(48, 64, (x, y) => (y % 8 < 2 && x > 6 && x < 42 ? [80, 80, 80] : [250, 250, 246])) },
    { kind: 'jpeg', extension: 'jpg', contentType: 'image/jpeg', bytes: drawJpeg(64, 48, (bx, by) => 90 + ((bx * 37 + by * 11) % 120)) },
  ];
  return made;
}
