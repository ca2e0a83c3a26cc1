// What kind of file this is, by its bytes rather than its name: a ".pdf" that is really an
// HTML error page must not become an invoice document.
import type { ContentType } from '../domain/invoice.js';

export function sniffContentType(head: Uint8Array): ContentType | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (
    head.length >= 8 &&
    head[0] === 0x89 &&
    head[1] === 0x50 &&
    head[2] === 0x4e &&
    head[3] === 0x47 &&
    head[4] === 0x0d &&
    head[5] === 0x0a &&
    head[6] === 0x1a &&
    head[7] === 0x0a
  ) {
    return 'image/png';
  }
  // PDF readers accept the header anywhere in the first 1024 bytes.
  const text = Buffer.from(head.subarray(0, 1024)).toString('latin1');
  if (text.includes('%PDF-')) return 'application/pdf';
  return null;
}

export const EXTENSIONS: Record<ContentType, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
};
