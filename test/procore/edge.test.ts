// The client's edge as the importer uses it, against the sandbox on 127.0.0.1: lists where one bad
// requisition does not sink the rest, updated_at windows, cost codes, and file links that live on
// another host than the API.
import { costCodingOf } from '../../source/domain/procore-mapping.js';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../source/log/log.js';
import { DownloadLinkExpiredError, downloadFile } from '../../source/procore/files.js';
import { ProcoreHttp } from '../../source/procore/http.js';
import { costCodes, requisition, requisitions, requisitionsChecked } from '../../source/procore/resources.js';
import { readState, setFault, setFileLinks, setRateLimits, updateState } from '../../source/sandbox/control.js';
import { DEMO_COMPANY_ID, DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { filePath } from '../../source/sandbox/state.js';
import { tempDir } from '../helpers/temp.js';
import { connect, sandbox, type TestSandbox } from '../sandbox/helpers.js';

const WAREHOUSE = '1710002'; // job 2302

let box: TestSandbox;
let token: string;
let refreshes = 0;
/** How often a download asked for the access token. */
let asked = 0;

beforeAll(async () => {
  box = await sandbox();
  await setRateLimits(box.stateDir, { spike: { limit: 100_000, windowSec: 10 } });
  token = (await connect(box)).access_token;
});

function client(companyId: string | null = DEMO_COMPANY_ID): ProcoreHttp {
  const tokens = {
    accessToken: async () => {
      asked++;
      return token;
    },
    refreshAfter: async () => {
      refreshes++;
      return token;
    },
  };
  return new ProcoreHttp({ environment: { kind: 'local', apiUrl: box.apiUrl, loginUrl: box.loginUrl }, tokens, logger: silentLogger, companyId });
}

describe('a list of requisitions with a bad one in it', () => {
  it('reads every good one and names the bad one with its reason; requisitions() still refuses the whole list', async () => {
    const before = await requisitionsChecked(client(), WAREHOUSE, { view: 'extended' });
    expect(before.refused).toEqual([]);
    const victim = before.requisitions[1]!;
    await updateState(box.stateDir, (state) => {
      state.requisitions.find((r) => r.id === victim.id)!.billingDate = '2026-11-31';
    });
    const after = await requisitionsChecked(client(), WAREHOUSE, { view: 'extended' });
    expect(after.refused).toEqual([{ id: victim.id, reason: "billing_date '2026-11-31' is not a date (YYYY-MM-DD)" }]);
    expect(after.requisitions.map((r) => r.id)).toEqual(before.requisitions.filter((r) => r.id !== victim.id).map((r) => r.id));
    await expect(requisitions(client(), WAREHOUSE)).rejects.toThrow(`Procore requisition ${victim.id}: billing_date '2026-11-31' is not a date (YYYY-MM-DD)`);
    await updateState(box.stateDir, (state) => {
      state.requisitions.find((r) => r.id === victim.id)!.billingDate = victim.billingDate!;
    });
  });
});

describe('updated_at windows', () => {
  it('sends a window to the whole second, both ends included, so a change at the edge is not lost', async () => {
    const state = await readState(box.stateDir);
    const stored = state.requisitions.filter((r) => r.projectId === WAREHOUSE).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    const at = Date.parse(stored[2]!.updatedAt);
    // A window ending 300 ms before the change, and one starting 300 ms after it: each rounds out to hold it.
    const endsBefore = await requisitions(client(), WAREHOUSE, { updatedAt: [new Date(at - 60_000).toISOString(), new Date(at - 300).toISOString()] });
    const startsAfter = await requisitions(client(), WAREHOUSE, { updatedAt: [new Date(at + 300).toISOString(), new Date(at + 60_000).toISOString()] });
    expect(endsBefore.map((r) => r.id)).toContain(stored[2]!.id);
    expect(startsAfter.map((r) => r.id)).toContain(stored[2]!.id);
    const days = await requisitions(client(), WAREHOUSE, { updatedAt: [stored[0]!.updatedAt.slice(0, 10), stored.at(-1)!.updatedAt.slice(0, 10)] });
    expect(days.map((r) => r.id).sort()).toEqual(stored.map((r) => r.id).sort());
    await expect(requisitions(client(), WAREHOUSE, { updatedAt: ['last tuesday', '2026-11-30'] })).rejects.toThrow(
      "updated_at from 'last tuesday' is not an ISO 8601 time (e.g. 2026-11-20T15:07:00Z) or a day (2026-11-20)",
    );
  });
});

describe('cost codes', () => {
  it("resolve each item's cost_code_id to the code and name of the project's cost code", async () => {
    const codes = await costCodes(client(), WAREHOUSE);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((code) => /^\d+$/.test(code.id) && code.fullCode && code.name)).toBe(true);
    const { requisitions: listed } = await requisitionsChecked(client(), WAREHOUSE, { view: 'extended', status: 'approved' });
    const byId = new Map(codes.map((code) => [code.id, code]));
    for (const read of listed) {
      // Items carry cost_code_id and the WBS code (Procore sends no cost code object on them): both name one code.
      for (const item of read.items!) expect(byId.get(item.costCodeId!)?.fullCode, `${read.id} line ${item.lineNumber}`).toBe(costCodingOf(item).costCode);
    }
    const shown = await requisition(client(), WAREHOUSE, listed[0]!.id);
    expect(shown.items!.map((item) => item.costCodeId)).toEqual(listed[0]!.items!.map((item) => item.costCodeId));
  });
});

describe('attachment downloads', () => {
  const TOWER = '1710001';
  const environment = () => ({ kind: 'local' as const, apiUrl: box.apiUrl, loginUrl: box.loginUrl });
  const tokens = () => ({
    accessToken: async () => {
      asked++;
      return token;
    },
    refreshAfter: async () => token,
  });
  const read = () => requisition(client(), TOWER, DEMO_REQUISITIONS.threeAttachments);
  const download = async (url: string, target: string) => downloadFile(url, target, { environment: environment(), tokens: tokens(), logger: silentLogger });

  it('fetches a pre-signed link on the storage host directly, never asking for the token', async () => {
    const dir = await tempDir();
    const shown = await read();
    asked = 0;
    for (const [n, attachment] of shown.attachments.entries()) {
      expect(new URL(attachment.url).origin).toBe(box.storageUrl);
      const result = await download(attachment.url, join(dir, `file-${n}`));
      expect(result.hops).toEqual([{ host: new URL(box.storageUrl).host, withToken: false, status: 200 }]);
      expect((await readFile(result.path)).equals(await readFile(filePath(box.stateDir, attachment.id!)))).toBe(true);
    }
    expect(asked).toBe(0);
  });

  it('still follows a file link on the API host: the token there, none on the storage host it redirects to', async () => {
    await setFileLinks(box.stateDir, 'api');
    try {
      const dir = await tempDir();
      const [pdf] = (await read()).attachments;
      expect(pdf!.url.startsWith(`${box.apiUrl}/`)).toBe(true);
      const result = await download(pdf!.url, join(dir, 'via-api.pdf'));
      expect(result.hops.map((hop) => [hop.host, hop.withToken, hop.status])).toEqual([
        [new URL(box.apiUrl).host, true, 302],
        [new URL(box.storageUrl).host, false, 200],
      ]);
      expect((await readFile(result.path)).subarray(0, 5).toString()).toBe('%PDF-');
    } finally {
      await setFileLinks(box.stateDir, 'storage');
    }
  });

  it('says an expired link is expired, with an error the importer can tell apart, and leaves no file; a fresh read works', async () => {
    const dir = await tempDir();
    const [pdf] = (await read()).attachments;
    box.clock.advance(301);
    const failed = await download(pdf!.url, join(dir, 'late.pdf')).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(DownloadLinkExpiredError);
    const expired = failed as DownloadLinkExpiredError;
    expect(expired.status).toBe(403);
    expect(expired.message).toMatch(/^the download link for http:\/\/127\.0\.0\.1:\d+\/prostore\/\d+\/[^ ?]+ has expired \(127\.0\.0\.1:\d+ answered 403\) — read the invoice again from Procore for fresh links/);
    // The signature in the query never reaches the message.
    expect(expired.message).not.toContain('X-Amz-Signature');
    expect(await readdir(dir)).toEqual([]);

    const [fresh] = (await read()).attachments;
    expect((await download(fresh!.url, join(dir, 'fresh.pdf'))).bytes).toBe((await stat(filePath(box.stateDir, fresh!.id!))).size);
  });

  it('recognises links issued already expired (the sandbox fault) the same way', async () => {
    await setFault(box.stateDir, { kind: 'expired-storage-urls', count: 1 });
    const [pdf] = (await read()).attachments;
    await expect(download(pdf!.url, join(await tempDir(), 'x.pdf'))).rejects.toBeInstanceOf(DownloadLinkExpiredError);
  });
});
