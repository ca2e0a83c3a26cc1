// A document is accepted only if it opens completely: real PDFs, whole, updated, cut short and
// damaged, checked the way `queue add-document` checks them.
import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { DocumentError, pdfPageCount } from '../../source/documents/pdf.js';
import { expectOk, runCli } from '../helpers/cli.js';
import { pdfWithPages } from '../helpers/files.js';
import { snapshot, tempDir } from '../helpers/temp.js';

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** The page count, or the reason the file was refused. */
async function check(bytes: Uint8Array): Promise<number | string> {
  try {
    return await pdfPageCount({ name: 'scan.pdf', bytes, contentType: 'application/pdf' });
  } catch (error) {
    if (error instanceof DocumentError) return error.reason;
    throw error;
  }
}

/** Three pages written with a classic cross-reference table, as most scanners write them. */
async function classicPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.load(await pdfWithPages(3));
  return doc.save({ useObjectStreams: false });
}

/** Two pages, then an incremental update appended (as a signature or a form fill does) adding a third. */
async function updatedPdf(): Promise<{ bytes: Uint8Array; firstRevision: number }> {
  const original = await pdfWithPages(2);
  const doc = await PDFDocument.load(original, { forIncrementalUpdate: true });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([612, 792]).drawText('Added by an update', { x: 72, y: 700, size: 14, font });
  return { bytes: await doc.commit(), firstRevision: original.length };
}

/**
 * One page, its cross-reference stream compressed with the PNG "Up" predictor, as Acrobat and
 * pdfTeX write them (pdf-lib never does). Written here byte by byte.
 */
function predictorPdf(): Uint8Array {
  const chunks: Buffer[] = [Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const size = () => chunks.reduce((total, chunk) => total + chunk.length, 0);
  const offsets: number[] = [];
  const add = (body: string) => {
    offsets.push(size());
    chunks.push(Buffer.from(`${offsets.length} 0 obj\n${body}\nendobj\n`, 'latin1'));
  };
  const drawing = '72 72 m 540 720 l S';
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add('<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  add('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>');
  add(`<< /Length ${drawing.length} >>\nstream\n${drawing}\nendstream`);
  const xrefAt = size();
  // Rows of W [1 4 1]: type, offset, generation; object 0 is the head of the free list.
  const rows = [[0, 0, 255], ...offsets.map((at) => [1, at, 0]), [1, xrefAt, 0]].map(([type, at, generation]) => [type!, (at! >>> 24) & 255, (at! >>> 16) & 255, (at! >>> 8) & 255, at! & 255, generation!]);
  const encoded = rows.flatMap((row, n) => [2, ...row.map((value, i) => (value - (n > 0 ? rows[n - 1]![i]! : 0)) & 255)]);
  const data = deflateSync(Uint8Array.from(encoded));
  chunks.push(
    Buffer.from(`${offsets.length + 1} 0 obj\n<< /Type /XRef /Size ${rows.length} /W [1 4 1] /Root 1 0 R /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 6 >> /Length ${data.length} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'),
  );
  return Buffer.concat(chunks);
}

const DAMAGED = /^is not a readable PDF: it is damaged or incomplete — /;

describe('a PDF that opens completely', () => {
  it('is accepted with its page count, with object streams or a classic cross-reference table', async () => {
    expect(await check(await pdfWithPages(3))).toBe(3);
    expect(await check(await classicPdf())).toBe(3);
    expect(await check(predictorPdf())).toBe(1);
  });

  it('is accepted after an incremental update, counting the pages the update added', async () => {
    const { bytes, firstRevision } = await updatedPdf();
    expect(latin1(bytes).match(/%%EOF/g)).toHaveLength(2);
    expect(await check(bytes)).toBe(3);
    // Cut exactly where the first revision ends, the file is that revision, whole.
    expect(await check(bytes.slice(0, firstRevision))).toBe(2);
  });

  it('is accepted with blank lines after its end-of-file marker, or bytes before its header', async () => {
    const bytes = await classicPdf();
    expect(await check(Buffer.concat([bytes, Buffer.from('\r\n\n  \0')]))).toBe(3);
    // Offsets count from "%PDF-": a byte-order mark some mailers add does not shift them.
    expect(await check(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]))).toBe(3);
    expect(await check(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), predictorPdf()]))).toBe(1);
  });
});

describe('a PDF cut short', () => {
  it('after its first 600 bytes is refused as damaged or incomplete', async () => {
    for (const whole of [await pdfWithPages(3), await classicPdf()]) {
      const reason = await check(whole.slice(0, 600));
      expect(reason).toMatch(DAMAGED);
      expect(reason).toMatch(/get the file again/);
    }
  });

  // Every prefix of a file is refused unless it ends where a revision ends (after %%EOF).
  it.each([
    ['with object streams', () => pdfWithPages(3)],
    ['with a classic cross-reference table', classicPdf],
    ['with an incremental update', async () => (await updatedPdf()).bytes],
    ['with a predictor-compressed cross-reference stream', async () => predictorPdf()],
  ])('at any byte is refused, %s', async (_kind, make) => {
    const whole = await make();
    const text = latin1(whole);
    const wrong: string[] = [];
    for (let cut = 1; cut < whole.length; cut++) {
      const result = await check(whole.slice(0, cut));
      const endsARevision = /%%EOF\s*$/.test(text.slice(0, cut));
      if (endsARevision ? typeof result !== 'number' : typeof result !== 'string' || !DAMAGED.test(result)) {
        wrong.push(`the first ${cut} of ${whole.length} bytes: ${result}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('a damaged PDF', () => {
  /** The same bytes with `from` replaced by `to` of the same length, so every offset stays right. */
  function overwrite(bytes: Uint8Array, from: string, to: string): Uint8Array {
    expect(to).toHaveLength(from.length);
    const text = latin1(bytes);
    const at = text.indexOf(from);
    expect(at).toBeGreaterThan(0);
    return Buffer.from(text.slice(0, at) + to + text.slice(at + from.length), 'latin1');
  }

  it('whose page object cannot be read is refused, naming the page', async () => {
    const bytes = await classicPdf();
    const pages = await PDFDocument.load(bytes);
    const third = pages.getPage(2).ref.objectNumber;
    const reason = await check(overwrite(bytes, `\n${third} 0 obj\n`, `\n${third} 0 xxx\n`));
    expect(reason).toMatch(DAMAGED);
    expect(reason).toMatch(/page 3/);
  });

  it('whose page contents are missing is refused, naming the page', async () => {
    const bytes = await classicPdf();
    const contents = /\/Contents \[ (\d) 0 R \]/.exec(latin1(bytes))!;
    const reason = await check(overwrite(bytes, contents[0], `/Contents [9${contents[1]} 0 R ]`));
    expect(reason).toMatch(DAMAGED);
    expect(reason).toMatch(new RegExp(`the content stream of page 1 \\(object 9${contents[1]}\\) is missing`));
  });

  it('whose startxref points nowhere is refused', async () => {
    const bytes = await classicPdf();
    const text = latin1(bytes);
    const offset = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1]!;
    const wrong = String(Number(offset) - 7).padStart(offset.length, '0');
    expect(await check(overwrite(bytes, `startxref\n${offset}`, `startxref\n${wrong}`))).toMatch(DAMAGED);
  });

  it('whose trailer names no catalog is refused', async () => {
    const bytes = await classicPdf();
    const root = /\/Root (\d+ 0 R)/.exec(latin1(bytes))![0];
    expect(await check(overwrite(bytes, root, '/Xoot' + root.slice(5)))).toMatch(DAMAGED);
  });
});

describe('apdesk queue add-document', () => {
  it('refuses a PDF cut after 600 bytes with one line, and adds nothing', async () => {
    const dir = await tempDir();
    const d = ['--data-dir', dir];
    await expectOk(['vault', 'add', 'Harbor', '--accounting', 'sage300', ...d]);
    await expectOk(['queue', 'add', '--vault', 'harbor', 'AP Inbox', ...d]);
    const cut = join(await tempDir('apdesk-files-'), 'scan-cut.pdf');
    await writeFile(cut, (await pdfWithPages(3)).slice(0, 600));
    const before = await snapshot(dir);
    const result = await runCli(['queue', 'add-document', '--vault', 'harbor', '--queue', 'AP Inbox', cut, ...d]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^apdesk: \S+scan-cut\.pdf is not a readable PDF: it is damaged or incomplete[^\n]*get the file again[^\n]*\n$/);
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('an encrypted PDF', () => {
  async function encrypted(userPassword: string): Promise<Uint8Array> {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    for (let n = 1; n <= 2; n++) doc.addPage([612, 792]).drawText(`Signed invoice, page ${n}`, { x: 56, y: 700, size: 12, font });
    doc.encrypt({ userPassword, ownerPassword: 'owner-secret' });
    return doc.save();
  }

  it('with an empty user password (as e-signed invoices come) is accepted with its page count', async () => {
    expect(await pdfPageCount({ name: 'signed.pdf', bytes: await encrypted(''), contentType: 'application/pdf' })).toBe(2);
  });

  it('that needs a real password is refused as such, not as damaged', async () => {
    const error = await pdfPageCount({ name: 'secured.pdf', bytes: await encrypted('s3cret'), contentType: 'application/pdf' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DocumentError);
    expect((error as Error).message).toBe('secured.pdf needs a password to open; ask the sender for a copy without a password');
  });
});
