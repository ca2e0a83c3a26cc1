// Invoice files made on the spot: multi-page PDFs, a PNG and a baseline JPEG, all valid enough
// for real PDF readers (pdfinfo) to open what apdesk builds from them.
import { deflateSync, crc32 } from 'node:zlib';
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

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A solid-colour RGB PNG. */
export function png(width: number, height: number, rgb: [number, number, number] = [200, 60, 60]): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

class BitWriter {
  private bytes: number[] = [];
  private current = 0;
  private count = 0;
  write(value: number, length: number): void {
    for (let bit = length - 1; bit >= 0; bit--) {
      this.current = (this.current << 1) | ((value >> bit) & 1);
      if (++this.count === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.current);
    if (this.current === 0xff) this.bytes.push(0x00);
    this.current = 0;
    this.count = 0;
  }
  finish(): number[] {
    while (this.count !== 0) this.write(1, 1);
    return this.bytes;
  }
}

/**
 * A solid grey baseline JPEG. Each 8×8 block carries only its DC term, coded with two tiny
 * Huffman tables (DC: category 0 → 00, category 10 → 01; AC: end-of-block → 0).
 */
export function jpeg(width: number, height: number, grey = 200): Uint8Array {
  const segment = (marker: number, body: number[]) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  const dc = 8 * (grey - 128);
  const category = dc === 0 ? 0 : Math.floor(Math.log2(Math.abs(dc))) + 1;
  if (category !== 10 && category !== 0) throw new Error('jpeg(): pick a grey whose DC falls in category 10 (e.g. 200)');
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const bits = new BitWriter();
  for (let block = 0; block < blocks; block++) {
    if (block === 0 && category === 10) {
      bits.write(0b01, 2);
      bits.write(dc > 0 ? dc : dc + 1023, 10);
    } else {
      bits.write(0b00, 2);
    }
    bits.write(0, 1);
  }
  const dcCounts = [0, 2, ...Array(14).fill(0)];
  const acCounts = [1, ...Array(15).fill(0)];
  return Uint8Array.from([
    0xff,
    0xd8,
    ...segment(0xdb, [0x00, ...Array(64).fill(1)]),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, [0x00, ...dcCounts, 0, 10]),
    ...segment(0xc4, [0x10, ...acCounts, 0x00]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...bits.finish(),
    0xff,
    0xd9,
  ]);
}
