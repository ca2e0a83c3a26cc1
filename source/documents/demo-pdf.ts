// The demo's sample invoice: a one-page subcontractor invoice drawn with pdf-lib rather than
// shipped as a binary.
import { PDFDocument, StandardFonts, rgb } from '@cantoo/pdf-lib';

export async function demoInvoicePdf(lines: readonly string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(lines[0] ?? 'Invoice');
  doc.setProducer('apdesk demo');
  const page = doc.addPage([612, 792]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  lines.forEach((line, index) => {
    page.drawText(line, { x: 56, y: 720 - index * 22, size: index === 0 ? 20 : 12, font: index === 0 ? bold : font, color: rgb(0.1, 0.1, 0.1) });
  });
  return doc.save();
}

/** What a subcontractor's application for payment shows, already formatted. */
export interface ApplicationForPayment {
  vendorName: string;
  title: string;
  /** Lines under the title on every page: invoice and application numbers, project, period. */
  heading: readonly string[];
  items: readonly { label: string; amount: string }[];
  /** On the first page only: label and amount, the last one in bold. */
  totals: readonly { label: string; amount: string }[];
  pages: number;
  /** Encrypted with an empty user password (anyone can open it; a library must decrypt it). */
  encrypted: boolean;
  /** When encrypted, the password that opens it instead of the empty one. */
  userPassword?: string;
  /** Fixed, so the same seed draws the same bytes. */
  date: Date;
}

/** The PDF a subcontractor attaches to a Procore invoice, drawn for the sandbox's demo seed. */
export async function applicationForPaymentPdf(input: ApplicationForPayment): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setCreationDate(input.date);
  doc.setModificationDate(input.date);
  doc.setTitle(input.title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  for (let n = 1; n <= input.pages; n++) {
    const page = doc.addPage([612, 792]);
    const text = (value: string, x: number, y: number, size = 11, face = font) => page.drawText(value, { x, y, size, font: face });
    text(input.vendorName, 56, 730, 18, bold);
    text(n === 1 ? 'APPLICATION FOR PAYMENT' : 'CONTINUATION SHEET', 56, 702, 13, bold);
    input.heading.forEach((line, index) => text(line, 56, 680 - index * 16));
    page.drawLine({ start: { x: 56, y: 636 }, end: { x: 556, y: 636 }, thickness: 1, color: rgb(0.3, 0.3, 0.3) });
    let y = 612;
    for (const item of input.items) {
      text(item.label, 56, y);
      text(item.amount, 470, y);
      y -= 18;
    }
    if (n === 1) {
      input.totals.forEach((total, index) => {
        const face = index === 0 || index === input.totals.length - 1 ? bold : font;
        text(total.label, 56, y - 12 - index * 18, 11, face);
        text(total.amount, 470, y - 12 - index * 18, 11, face);
      });
    }
    text(`Page ${n} of ${input.pages}`, 500, 40, 9);
  }
  if (input.encrypted) doc.encrypt({ userPassword: input.userPassword ?? '', ownerPassword: 'demo-owner-password' });
  return doc.save();
}
