// Whether a PDF is whole, checked without rendering it: it ends where a revision ends, its
// cross-reference sections are where it says and inside it, and every page with what it draws is there.
// pdf-lib alone is too forgiving for this: it reads objects front to back and shows whatever pages
// it found, so a file cut short still "has pages".
import { decodePDFRawStream, PDFArray, PDFDict, PDFInvalidObject, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFStream, type PDFDocument, type PDFObject } from '@cantoo/pdf-lib';

/** Readers look for the end of a PDF in its last 1024 bytes, and for its header in its first. */
const EDGE = 1024;
const SPACE = '[\\0\\t\\n\\f\\r ]';
const END = new RegExp(`startxref${SPACE}+(\\d+)${SPACE}*%%EOF${SPACE}*$`);
const OBJECT = new RegExp(`^${SPACE}*(\\d+)${SPACE}+(\\d+)${SPACE}+obj`);

const latin1 = (bytes: Uint8Array, from: number, to: number) =>
  Buffer.from(bytes.buffer, bytes.byteOffset + from, Math.max(0, Math.min(to, bytes.length) - from)).toString('latin1');

/**
 * Where the newest cross-reference section starts, or why the file does not end like a PDF.
 * Cheap (the first and last KB only), so a file cut short is refused before it is parsed.
 */
export function lastSection(bytes: Uint8Array): { offset: number } | { problem: string } {
  const tail = latin1(bytes, Math.max(0, bytes.length - EDGE), bytes.length);
  if (!new RegExp(`%%EOF${SPACE}*$`).test(tail)) {
    return { problem: 'it stops before its end-of-file marker (%%EOF), so it was cut short, perhaps by an interrupted download or copy' };
  }
  const end = END.exec(tail);
  if (!end) return { problem: 'its end does not say where its cross-reference table is (startxref)' };
  return { offset: Number(end[1]) };
}

/** Offsets count from the header: a file with bytes before "%PDF-" (a BOM, a mail header) still reads. */
function headerAt(bytes: Uint8Array): number {
  return Math.max(0, latin1(bytes, 0, EDGE).indexOf('%PDF-'));
}

interface Section {
  hasRoot: boolean;
  /** The objects the section lists as in use, with their byte offsets (null: inside an object stream). */
  objects: { number: number; offset: number | null }[];
  /** False when the section's rows could not be read here (a predictor this reader does not know). */
  complete: boolean;
  /** Older sections this one points to: /Prev, and a hybrid file's /XRefStm. */
  older: number[];
}

/**
 * Why the cross-reference sections, from the newest back through every /Prev, are not all there,
 * or null. Each object they list as in use must start where they say it does, and the document
 * catalog must be among them. `doc` is the file parsed, for sections written as streams.
 */
export function sectionsProblem(bytes: Uint8Array, doc: PDFDocument, newest: number): string | null {
  const base = headerAt(bytes);
  const queue = [newest];
  const seen = new Set<number>();
  const listed = new Set<number>();
  let complete = true;
  for (let offset = queue.shift(); offset !== undefined; offset = queue.shift()) {
    if (seen.has(offset)) continue;
    seen.add(offset);
    if (base + offset >= bytes.length) return `it says a cross-reference section starts at byte ${offset}, past its end`;
    const section = readSection(bytes, doc, base + offset);
    if (typeof section === 'string') return section;
    if (offset === newest && !section.hasRoot) return 'its trailer does not name the document catalog (/Root)';
    for (const object of section.objects) {
      listed.add(object.number);
      if (object.offset === null) continue;
      const found = OBJECT.exec(latin1(bytes, base + object.offset, base + object.offset + 40));
      if (!found || Number(found[1]) !== object.number) {
        return `object ${object.number} is not at byte ${object.offset}, where its cross-reference table says it is`;
      }
    }
    complete &&= section.complete;
    queue.push(...section.older);
  }
  const root = doc.context.trailerInfo.Root;
  if (complete && root instanceof PDFRef && !listed.has(root.objectNumber)) return 'its cross-reference table does not list the document catalog';
  return null;
}

function readSection(bytes: Uint8Array, doc: PDFDocument, at: number): Section | string {
  const head = latin1(bytes, at, at + 64);
  if (new RegExp(`^${SPACE}*xref`).test(head)) return readTable(bytes, at);
  const object = OBJECT.exec(head);
  const stream = object ? doc.context.lookup(PDFRef.of(Number(object[1]), Number(object[2]))) : undefined;
  if (stream instanceof PDFRawStream && stream.dict.get(PDFName.of('Type')) === PDFName.of('XRef')) return readStream(stream);
  return 'its cross-reference table is not where the file says it is';
}

/** A classic table: "xref", subsections of "first count" and 20-byte entries, then "trailer <<…>>". */
function readTable(bytes: Uint8Array, at: number): Section | string {
  const trailerAt = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf('trailer', at, 'latin1');
  if (trailerAt < 0) return 'its cross-reference table has no trailer';
  const tokens = latin1(bytes, at, trailerAt).trim().split(new RegExp(`${SPACE}+`)).slice(1);
  const objects: Section['objects'] = [];
  const damaged = 'its cross-reference table is damaged';
  for (let i = 0; i < tokens.length; ) {
    const [first, count] = [tokens[i], tokens[i + 1]];
    if (!/^\d+$/.test(first ?? '') || !/^\d+$/.test(count ?? '')) return damaged;
    i += 2;
    for (let n = 0; n < Number(count); n++, i += 3) {
      const [offset, generation, kind] = [tokens[i], tokens[i + 1], tokens[i + 2]];
      if (!/^\d+$/.test(offset ?? '') || !/^\d+$/.test(generation ?? '') || (kind !== 'n' && kind !== 'f')) return damaged;
      if (kind === 'n') objects.push({ number: Number(first) + n, offset: Number(offset) });
    }
  }
  const trailer = latin1(bytes, trailerAt, trailerAt + 4096);
  const dictionary = trailer.slice(0, trailer.indexOf('startxref') > 0 ? trailer.indexOf('startxref') : trailer.length);
  if (!dictionary.includes('<<')) return 'its trailer is damaged';
  const number = (key: string) => {
    const found = new RegExp(`/${key}${SPACE}+(\\d+)`).exec(dictionary);
    return found ? [Number(found[1])] : [];
  };
  const hasRoot = new RegExp(`/Root${SPACE}+\\d+${SPACE}+\\d+${SPACE}+R`).test(dictionary);
  return { hasRoot, objects, complete: true, older: [...number('Prev'), ...number('XRefStm')] };
}

/** A cross-reference stream (PDF 1.5): rows of W-byte fields; type 1 rows hold a byte offset, type 2 an object stream. */
function readStream(stream: PDFRawStream): Section | string {
  const { dict } = stream;
  const damaged = 'its cross-reference stream is damaged';
  const widths = dict.lookup(PDFName.of('W'));
  const size = dict.lookup(PDFName.of('Size'));
  if (!(widths instanceof PDFArray) || widths.size() !== 3 || !(size instanceof PDFNumber)) return damaged;
  const [typeWidth, offsetWidth, generationWidth] = widths.asArray().map((width) => (width instanceof PDFNumber ? width.asNumber() : -1)) as [number, number, number];
  if ([typeWidth, offsetWidth, generationWidth].some((width) => width < 0 || width > 8)) return damaged;
  const index = dict.lookup(PDFName.of('Index'));
  const numbers = index instanceof PDFArray ? index.asArray().map((entry) => (entry instanceof PDFNumber ? entry.asNumber() : -1)) : [0, size.asNumber()];
  if (numbers.length % 2 !== 0 || numbers.some((entry) => !Number.isSafeInteger(entry) || entry < 0)) return damaged;
  const rowWidth = typeWidth + offsetWidth + generationWidth;
  const prev = dict.lookup(PDFName.of('Prev'));
  const older = prev instanceof PDFNumber ? [prev.asNumber()] : [];
  const hasRoot = dict.get(PDFName.of('Root')) instanceof PDFRef;
  let rows: Uint8Array | null;
  try {
    rows = unpredict(decodePDFRawStream(stream).decode(), dict, rowWidth);
  } catch {
    return 'its cross-reference stream cannot be decoded';
  }
  // A predictor this reader does not know: the rows cannot be read here, which says nothing about the file.
  if (rows === null) return { hasRoot, objects: [], complete: false, older };
  const field = (at: number, width: number) => {
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 256 + rows[at + i]!;
    return value;
  };
  const objects: Section['objects'] = [];
  let row = 0;
  for (let pair = 0; pair < numbers.length; pair += 2) {
    const [first, count] = [numbers[pair]!, numbers[pair + 1]!];
    for (let n = 0; n < count; n++, row++) {
      const at = row * rowWidth;
      if (at + rowWidth > rows.length) return 'its cross-reference stream is shorter than it says';
      const type = typeWidth === 0 ? 1 : field(at, typeWidth);
      if (type === 1) objects.push({ number: first + n, offset: field(at + typeWidth, offsetWidth) });
      else if (type === 2) objects.push({ number: first + n, offset: null });
    }
  }
  return { hasRoot, objects, complete: true, older };
}

/**
 * Undoes the predictor cross-reference streams are usually written with (/DecodeParms
 * /Predictor 12: PNG "Up" rows of one byte per column), or null for one not known here.
 */
function unpredict(data: Uint8Array, dict: PDFDict, columns: number): Uint8Array | null {
  const parms = dict.lookup(PDFName.of('DecodeParms'));
  const predictor = parms instanceof PDFDict ? parms.lookup(PDFName.of('Predictor')) : undefined;
  const kind = predictor instanceof PDFNumber ? predictor.asNumber() : 1;
  if (kind === 1) return data;
  const width = parms instanceof PDFDict && parms.lookup(PDFName.of('Columns')) instanceof PDFNumber ? (parms.lookup(PDFName.of('Columns')) as PDFNumber).asNumber() : columns;
  if (kind === 2) {
    const out = Uint8Array.from(data);
    for (let row = 0; row < out.length; row += width) for (let i = 1; i < width && row + i < out.length; i++) out[row + i] = (out[row + i]! + out[row + i - 1]!) & 0xff;
    return out;
  }
  if (kind < 10 || kind > 15) return null;
  // PNG: each row starts with its filter type; one byte per pixel for these streams.
  const rowCount = Math.floor(data.length / (width + 1));
  const out = new Uint8Array(rowCount * width);
  for (let row = 0; row < rowCount; row++) {
    const type = data[row * (width + 1)]!;
    for (let i = 0; i < width; i++) {
      const raw = data[row * (width + 1) + 1 + i]!;
      const left = i > 0 ? out[row * width + i - 1]! : 0;
      const up = row > 0 ? out[(row - 1) * width + i]! : 0;
      const upLeft = row > 0 && i > 0 ? out[(row - 1) * width + i - 1]! : 0;
      let base: number;
      if (type === 0) base = 0;
      else if (type === 1) base = left;
      else if (type === 2) base = up;
      else if (type === 3) base = (left + up) >> 1;
      else if (type === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        base = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      } else return null;
      out[row * width + i] = (raw + base) & 0xff;
    }
  }
  return out;
}

/**
 * Why a page cannot be shown, or null: every node of the page tree, and each page's contents,
 * fonts and images (inherited resources too) must be objects that are there and were read.
 */
export function pagesProblem(doc: PDFDocument): string | null {
  const { context } = doc;
  const catalog = context.lookup(context.trailerInfo.Root);
  if (!(catalog instanceof PDFDict)) return 'its document catalog is missing';
  let pages = 0;
  const seen = new Set<PDFRef>();

  /** The object a value stands for; a string saying what is wrong when it is missing or unreadable. */
  const resolve = (value: PDFObject | undefined, what: () => string): PDFObject | string => {
    if (!(value instanceof PDFRef)) return value ?? `${what()} is missing`;
    const object = context.lookup(value);
    if (object === undefined) return `${what()} (object ${value.objectNumber}) is missing`;
    if (object instanceof PDFInvalidObject) return `${what()} (object ${value.objectNumber}) cannot be read`;
    return object;
  };

  const checkResources = (resources: PDFObject | undefined, page: number): string | null => {
    if (resources === undefined) return null;
    const dict = resolve(resources, () => `the resource dictionary of page ${page}`);
    if (typeof dict === 'string') return dict;
    if (!(dict instanceof PDFDict)) return `the resource dictionary of page ${page} is damaged`;
    for (const [kind, label] of [['Font', 'a font'], ['XObject', 'an image or drawing']] as const) {
      const group = dict.get(PDFName.of(kind));
      if (group === undefined) continue;
      const entries = resolve(group, () => `the ${kind === 'Font' ? 'font' : 'image'} list of page ${page}`);
      if (typeof entries === 'string') return entries;
      if (!(entries instanceof PDFDict)) continue;
      for (const value of entries.values()) {
        const found = resolve(value, () => `${label} on page ${page}`);
        if (typeof found === 'string') return found;
      }
    }
    return null;
  };

  const visit = (node: PDFObject | undefined, inherited: PDFObject | undefined): string | null => {
    if (node instanceof PDFRef) {
      if (seen.has(node)) return `its page tree loops back on object ${node.objectNumber}`;
      seen.add(node);
    }
    const dict = resolve(node, () => `page ${pages + 1}`);
    if (typeof dict === 'string') return dict;
    if (!(dict instanceof PDFDict)) return `page ${pages + 1} is damaged`;
    const resources = dict.get(PDFName.of('Resources')) ?? inherited;
    const kids = dict.lookup(PDFName.of('Kids'));
    if (dict.get(PDFName.of('Type')) === PDFName.of('Pages') || kids instanceof PDFArray) {
      if (!(kids instanceof PDFArray)) return `its page tree is damaged`;
      for (const kid of kids.asArray()) {
        const problem = visit(kid, resources);
        if (problem) return problem;
      }
      return null;
    }
    const page = ++pages;
    const contents = dict.get(PDFName.of('Contents'));
    let streams: PDFObject[] = [];
    if (contents !== undefined) {
      const resolved = resolve(contents, () => `the content stream of page ${page}`);
      if (typeof resolved === 'string') return resolved;
      streams = resolved instanceof PDFArray ? resolved.asArray() : [resolved];
    }
    for (const stream of streams) {
      const found = resolve(stream, () => `the content stream of page ${page}`);
      if (typeof found === 'string') return found;
      if (!(found instanceof PDFStream)) return `the content stream of page ${page} is damaged`;
    }
    return checkResources(resources, page);
  };

  const root = catalog.get(PDFName.of('Pages'));
  if (root === undefined) return 'it has no page tree';
  return visit(root, undefined);
}
