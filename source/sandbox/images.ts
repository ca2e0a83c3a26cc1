// Small, valid images for the demo's attachments, drawn without an image library: a PNG of
// coloured bands and a greyscale baseline JPEG of 8×8 blocks (each block one shade, so only its
// DC coefficient is coded), optionally with an EXIF orientation as a phone camera writes it. They
// open in ordinary viewers and in pdf-lib.
import { crc32, deflateSync } from 'node:zlib';

function pngChunk(type: string, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(data.length, 0);
  header.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([header.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([header, data, crc]);
}

/** An RGB PNG; `colour(x, y)` gives each pixel. */
export function drawPng(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // truecolour
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let x = 0; x < width; x++) raw.set(colour(x, y), row + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

class Bits {
  private readonly bytes: number[] = [];
  private byte = 0;
  private used = 0;
  put(value: number, length: number): void {
    for (let bit = length - 1; bit >= 0; bit--) {
      this.byte = (this.byte << 1) | ((value >> bit) & 1);
      if (++this.used === 8) {
        this.bytes.push(this.byte);
        // A 0xFF in entropy-coded data must be followed by a stuffed zero.
        if (this.byte === 0xff) this.bytes.push(0);
        this.byte = 0;
        this.used = 0;
      }
    }
  }
  end(): number[] {
    while (this.used) this.put(1, 1);
    return this.bytes;
  }
}

// The standard luminance DC table of the JPEG spec (Annex K.3): code lengths per category 0–11.
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_CODES: { code: number; length: number }[] = (() => {
  const codes: { code: number; length: number }[] = [];
  let code = 0;
  DC_BITS.forEach((count, index) => {
    for (let n = 0; n < count; n++) codes.push({ code: code++, length: index + 1 });
    code <<= 1;
  });
  return codes;
})();

/** A greyscale JPEG; `shade(bx, by)` gives each 8×8 block's grey level (0–255). */
export function drawJpeg(width: number, height: number, shade: (blockX: number, blockY: number) => number): Uint8Array {
  const segment = (marker: number, body: number[]) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  const bits = new Bits();
  let previous = 0;
  for (let by = 0; by < Math.ceil(height / 8); by++) {
    for (let bx = 0; bx < Math.ceil(width / 8); bx++) {
      // With every quantiser 1, a flat block's DC coefficient is 8 × (level − 128).
      const dc = 8 * (Math.max(0, Math.min(255, Math.round(shade(bx, by)))) - 128);
      const diff = dc - previous;
      previous = dc;
      const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
      const { code, length } = DC_CODES[category]!;
      bits.put(code, length);
      if (category) bits.put(diff > 0 ? diff : diff + (1 << category) - 1, category);
      bits.put(0, 1); // AC table below holds one symbol, end-of-block, coded as 0
    }
  }
  return Uint8Array.from([
    0xff, 0xd8,
    ...segment(0xdb, [0x00, ...Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, [0x00, ...DC_BITS, ...Array.from({ length: 12 }, (_, n) => n)]),
    ...segment(0xc4, [0x10, 1, ...Array<number>(15).fill(0), 0x00]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...bits.end(),
    0xff, 0xd9,
  ]);
}

/**
 * The JPEG with an EXIF block (APP1) right after its start marker holding one tag, Orientation
 * (0x0112): 6 means the camera was turned a quarter, so a viewer shows the stored image turned
 * a quarter clockwise. Written little-endian ("II"), one IFD of one entry and no next IFD.
 */
export function withExifOrientation(jpeg: Uint8Array, orientation: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('withExifOrientation needs a JPEG');
  const tiff = Buffer.alloc(26);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4); // the first IFD follows the header
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(0x0112, 10); // Orientation
  tiff.writeUInt16LE(3, 12); // SHORT
  tiff.writeUInt32LE(1, 14); // one value, held in the entry itself
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22); // no next IFD
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length + 2, 0);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), length, body, jpeg.subarray(2)]);
}
