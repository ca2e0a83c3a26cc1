import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { attachFile, setFileLinks } from '../../source/sandbox/control.js';
import { filePath } from '../../source/sandbox/state.js';
import { api, call, connect, sandbox, type TestSandbox } from './helpers.js';

const TOWER = '1710001';
let box: TestSandbox;
let token: string;

beforeAll(async () => {
  box = await sandbox();
  token = (await connect(box)).access_token;
});

type Attachment = { id: number; url: string; filename: string; content_type: string };

async function attachmentsOf(id: string = DEMO_REQUISITIONS.threeAttachments, project = TOWER): Promise<Attachment[]> {
  return (await api(box, token, `/rest/v1.1/requisitions/${id}?project_id=${project}&view=extended`)).json.attachments;
}

async function storageLocation(url: string): Promise<string> {
  const redirect = await call(url, { headers: { authorization: `Bearer ${token}` } });
  expect(redirect.status).toBe(302);
  return redirect.headers.get('location')!;
}

describe('attachment links', () => {
  it('are pre-signed, expiring URLs on the storage listener, not on the API host', async () => {
    for (const attachment of await attachmentsOf()) {
      expect(attachment.url.startsWith(`${box.storageUrl}/`)).toBe(true);
      const signed = new URL(attachment.url);
      expect(signed.searchParams.get('X-Amz-Expires')).toBe('300');
      expect(signed.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('serve the bytes without an Authorization header, and refuse a request that has one', async () => {
    for (const attachment of await attachmentsOf()) {
      const withToken = await call(attachment.url, { headers: { authorization: `Bearer ${token}` } });
      expect(withToken.status).toBe(400);
      expect(withToken.headers.get('content-type')).toBe('application/xml');
      expect(withToken.text).toContain('<Code>InvalidArgument</Code>');
      expect(withToken.text).toContain('Only one auth mechanism allowed');

      const response = await fetch(attachment.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(attachment.content_type);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.equals(await readFile(filePath(box.stateDir, String(attachment.id))))).toBe(true);
    }
  });

  it('expire: an old link and a tampered one get 403, and reading the requisition again gives a fresh one', async () => {
    const [first] = await attachmentsOf();
    const tampered = first!.url.replace(/X-Amz-Expires=300/, 'X-Amz-Expires=99999');
    const bad = await call(tampered);
    expect(bad.status).toBe(403);
    expect(bad.text).toContain('SignatureDoesNotMatch');
    box.clock.advance(301);
    const expired = await call(first!.url);
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('Request has expired');
    const [fresh] = await attachmentsOf();
    expect(fresh!.url).not.toBe(first!.url);
    expect((await fetch(fresh!.url)).status).toBe(200);
  });

  it('can be file links on the API host instead, which need the token and redirect to storage', async () => {
    await setFileLinks(box.stateDir, 'api');
    try {
      const [pdf] = await attachmentsOf();
      expect(pdf!.url).toBe(`${box.apiUrl}/fas/api/v5/files/${pdf!.id}`);
      expect((await call(pdf!.url)).status).toBe(401);
      const location = await storageLocation(pdf!.url);
      expect(location.startsWith(`${box.storageUrl}/`)).toBe(true);
      expect((await fetch(location)).status).toBe(200);
    } finally {
      await setFileLinks(box.stateDir, 'storage');
    }
    expect((await attachmentsOf())[0]!.url.startsWith(`${box.storageUrl}/`)).toBe(true);
    await expect(setFileLinks(box.stateDir, 'ftp' as never)).rejects.toThrow("file links are storage or api, not 'ftp'");
  });

  it('serves a file attached through the control module, named on the requisition', async () => {
    const stored = await attachFile(box.stateDir, DEMO_REQUISITIONS.noAttachment, { filename: 'late-invoice.pdf', bytes: Buffer.from('%PDF-1.7\n%%EOF\n') });
    expect(stored.contentType).toBe('application/pdf');
    const [attachment] = await attachmentsOf(DEMO_REQUISITIONS.noAttachment, '1710002');
    expect(attachment!.filename).toBe('late-invoice.pdf');
    expect(await (await fetch(attachment!.url)).text()).toBe('%PDF-1.7\n%%EOF\n');
  });
});
