import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { attachFile } from '../../source/sandbox/control.js';
import { filePath } from '../../source/sandbox/state.js';
import { api, call, connect, sandbox, type TestSandbox } from './helpers.js';

const TOWER = '1710001';
let box: TestSandbox;
let token: string;
let attachments: { id: number; url: string; filename: string; content_type: string }[];

beforeAll(async () => {
  box = await sandbox();
  token = (await connect(box)).access_token;
  attachments = (await api(box, token, `/rest/v1.1/requisitions/${DEMO_REQUISITIONS.threeAttachments}?project_id=${TOWER}&view=extended`)).json.attachments;
});

async function storageLocation(url: string): Promise<string> {
  const redirect = await call(url, { headers: { authorization: `Bearer ${token}` } });
  expect(redirect.status).toBe(302);
  return redirect.headers.get('location')!;
}

describe('attachment downloads', () => {
  it('needs the Bearer token on the API host, then redirects to a pre-signed storage URL', async () => {
    const [pdf] = attachments;
    const anonymous = await call(pdf!.url);
    expect(anonymous.status).toBe(401);
    const location = await storageLocation(pdf!.url);
    expect(location.startsWith(`${box.storageUrl}/`)).toBe(true);
    const signed = new URL(location);
    expect(signed.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(signed.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('serves the bytes from storage without an Authorization header, and refuses one that has it', async () => {
    for (const attachment of attachments) {
      const location = await storageLocation(attachment.url);
      const withToken = await call(location, { headers: { authorization: `Bearer ${token}` } });
      expect(withToken.status).toBe(400);
      expect(withToken.headers.get('content-type')).toBe('application/xml');
      expect(withToken.text).toContain('<Code>InvalidArgument</Code>');
      expect(withToken.text).toContain('Only one auth mechanism allowed');

      const response = await fetch(location);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(attachment.content_type);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.equals(await readFile(filePath(box.stateDir, String(attachment.id))))).toBe(true);
    }
  });

  it('refuses an expired URL and a tampered one with 403', async () => {
    const location = await storageLocation(attachments[0]!.url);
    const tampered = location.replace(/X-Amz-Expires=300/, 'X-Amz-Expires=99999');
    const bad = await call(tampered);
    expect(bad.status).toBe(403);
    expect(bad.text).toContain('SignatureDoesNotMatch');
    box.clock.advance(301);
    const expired = await call(location);
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('Request has expired');
    expect((await fetch(await storageLocation(attachments[0]!.url))).status).toBe(200);
  });

  it('serves a file attached through the control module, named on the requisition', async () => {
    const stored = await attachFile(box.stateDir, DEMO_REQUISITIONS.noAttachment, { filename: 'late-invoice.pdf', bytes: Buffer.from('%PDF-1.7\n%%EOF\n') });
    expect(stored.contentType).toBe('application/pdf');
    const requisition = await api(box, token, `/rest/v1.1/requisitions/${DEMO_REQUISITIONS.noAttachment}?project_id=1710002`);
    expect(requisition.json.attachments.map((a: any) => a.filename)).toEqual(['late-invoice.pdf']);
    const body = await (await fetch(await storageLocation(requisition.json.attachments[0].url))).text();
    expect(body).toBe('%PDF-1.7\n%%EOF\n');
  });
});
