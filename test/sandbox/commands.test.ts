import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Command, CommandContext, OptionValues } from '../../source/commands/command.js';
import type { Desk } from '../../source/app/desk.js';
import {
  SANDBOX_COMMANDS,
  sandboxAppInstalledCommand,
  sandboxApproveCommand,
  sandboxAttachCommand,
  sandboxFaultCommand,
  sandboxFaultsClearCommand,
  sandboxFaultsCommand,
  sandboxRequisitionAddCommand,
  sandboxRequisitionCommand,
  sandboxStatusCommand,
  sandboxTokenLifetimeCommand,
} from '../../source/commands/sandbox.js';
import { UsageError, UserError } from '../../source/domain/errors.js';
import { DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { listFaults, readState } from '../../source/sandbox/control.js';
import { tempDir } from '../helpers/temp.js';
import { jpeg } from '../helpers/files.js';
import { sandbox } from './helpers.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await tempDir();
  await sandbox({ stateDir: join(dataDir, 'sandbox') });
});

async function run(command: Command, positionals: string[] = [], values: OptionValues = {}, json = false): Promise<string> {
  const lines: string[] = [];
  const ctx: CommandContext = {
    json,
    values,
    positionals,
    out: (text) => lines.push(text),
    write: async (text) => void lines.push(text),
    note: () => undefined,
    desk: async () => ({ dataDir, user: 'tester' }) as unknown as Desk,
    env: {},
    stdin: process.stdin,
  };
  await command.run(ctx);
  return lines.join('\n');
}

describe('apdesk sandbox commands', () => {
  it('are all under `sandbox`, with usage that names their words', () => {
    for (const command of SANDBOX_COMMANDS) {
      expect(command.path[0]).toBe('sandbox');
      expect(command.usage.startsWith(`apdesk ${command.path.join(' ')}`)).toBe(true);
    }
  });

  it('approve: approves, as noted on request, and refuses an unknown or missing id', async () => {
    const text = await run(sandboxApproveCommand, [], { requisition: DEMO_REQUISITIONS.awaitingApproval });
    expect(text).toBe('Requisition 1280609 (SC-2301-03 #2, Bright Line Electric, 28309.56) is now approved.');
    const json = JSON.parse(await run(sandboxApproveCommand, [], { requisition: '1280622', 'as-noted': true }, true));
    expect(json).toMatchObject({ id: '1280622', status: 'approved_as_noted', vendorCode: 'LUMBER-05' });
    const unknown = run(sandboxApproveCommand, [], { requisition: '999' });
    await expect(unknown).rejects.toBeInstanceOf(UserError);
    await expect(unknown).rejects.toThrow('no requisition 999 in the sandbox — `apdesk sandbox status` lists them');
    await expect(run(sandboxApproveCommand)).rejects.toBeInstanceOf(UsageError);
    await expect(run(sandboxApproveCommand, [], { requisition: 'abc' })).rejects.toThrow(/digits/);
  });

  it('attach: adds every file or, if one cannot be read, none', async () => {
    const files = await tempDir();
    await writeFile(join(files, 'photo.jpg'), jpeg(64, 48));
    await mkdir(join(files, 'folder'));
    const id = DEMO_REQUISITIONS.noAttachment;
    await expect(run(sandboxAttachCommand, [join(files, 'photo.jpg'), join(files, 'missing.pdf')], { requisition: id })).rejects.toThrow(/cannot read .*missing\.pdf: no such file/);
    await expect(run(sandboxAttachCommand, [join(files, 'folder')], { requisition: id })).rejects.toThrow(/it is a folder/);
    expect((await readState(join(dataDir, 'sandbox'))).requisitions.find((r) => r.id === id)!.attachmentIds).toEqual([]);
    const text = await run(sandboxAttachCommand, [join(files, 'photo.jpg')], { requisition: id });
    expect(text).toMatch(/^Attached photo\.jpg \(image\/jpeg, \d+ bytes\) to requisition 1280612 as file \d+\.$/);
  });

  it('requisition: sets and clears the origin id and ERP status, changes the status, and says what it is now', async () => {
    const id = DEMO_REQUISITIONS.threeAttachments;
    const before = (await readState(join(dataDir, 'sandbox'))).requisitions.find((r) => r.id === id)!.updatedAt;
    const text = await run(sandboxRequisitionCommand, [], { id, 'origin-id': 'SAGE-AP-1068', 'erp-status': 'synced' });
    expect(text).toMatch(/^Requisition 1280602 \(SC-2301-01 #2, ABC Concrete Co\.\) is approved, origin id 'SAGE-AP-1068', ERP status 'synced'; updated at \S+Z\.$/);
    const json = JSON.parse(await run(sandboxRequisitionCommand, [], { id, 'origin-id': '', status: 'approved_as_noted' }, true));
    expect(json).toMatchObject({ id, originId: null, erpStatus: 'synced', status: 'approved_as_noted' });
    expect(json.updatedAt > before).toBe(true);
    expect(await run(sandboxStatusCommand)).toMatch(/1280602 .* ERP synced/);
    await expect(run(sandboxRequisitionCommand, [], { id })).rejects.toThrow(/say what to change with --status, --origin-id, --erp-status or --coding/);
    await expect(run(sandboxRequisitionCommand, [], { 'erp-status': 'x' })).rejects.toBeInstanceOf(UsageError);
    await expect(run(sandboxRequisitionCommand, [], { id: 'R-1', 'erp-status': 'x' })).rejects.toThrow(/--id takes a Procore requisition id \(digits\)/);
    await expect(run(sandboxRequisitionCommand, [], { id: '999', 'erp-status': 'x' })).rejects.toThrow('no requisition 999 in the sandbox');
  });

  it('app-installed: off, then on again', async () => {
    expect(await run(sandboxAppInstalledCommand, ['off'], { company: '4126' })).toBe(
      'apdesk is not installed in company 4126 now: its calls get 401 until `apdesk sandbox app-installed --company 4126 on`.',
    );
    expect((await readState(join(dataDir, 'sandbox'))).companies.find((c) => c.id === '4126')!.appInstalled).toBe(false);
    expect(await run(sandboxAppInstalledCommand, ['ON'], { company: '4126' })).toBe('apdesk is installed in company 4126.');
    expect((await readState(join(dataDir, 'sandbox'))).companies.find((c) => c.id === '4126')!.appInstalled).toBeUndefined();
    await expect(run(sandboxAppInstalledCommand, ['maybe'], { company: '4126' })).rejects.toThrow(/say on or off, not 'maybe'/);
    await expect(run(sandboxAppInstalledCommand, ['on'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(sandboxAppInstalledCommand, ['on'], { company: '77' })).rejects.toThrow(/no company 77 in the sandbox/);
  });

  it('fault, faults and faults clear', async () => {
    expect(await run(sandboxFaultCommand, ['rate-limit'], { count: '3', seconds: '20' })).toBe('Fault set: rate-limit (Retry-After 20 s) for the next 3 requests.');
    expect(await run(sandboxFaultCommand, ['slow'], { ms: '500', path: '/rest/' })).toBe('Fault set: slow 500 ms on /rest/… until cleared.');
    expect(await run(sandboxFaultCommand, ['expire-tokens'])).toBe('Expired 0 tokens.');
    expect(await run(sandboxFaultsCommand)).toBe('rate-limit (Retry-After 20 s) for the next 3 requests\nslow 500 ms on /rest/… until cleared');
    await expect(run(sandboxFaultCommand, ['flood'])).rejects.toThrow(/unknown fault 'flood' — use one of/);
    await expect(run(sandboxFaultCommand, ['slow'], { seconds: '3' })).rejects.toThrow('--seconds goes with rate-limit or unavailable');
    await expect(run(sandboxFaultCommand, ['reset'], { count: '0' })).rejects.toThrow(/--count takes a whole number above 0/);
    expect(await run(sandboxFaultsClearCommand)).toBe('Cleared 2 faults.');
    expect(await listFaults(join(dataDir, 'sandbox'))).toEqual([]);
  });

  it('token-lifetime and status', async () => {
    expect(await run(sandboxTokenLifetimeCommand, ['120'])).toBe('Access tokens issued from now on last 120 s.');
    await expect(run(sandboxTokenLifetimeCommand, ['soon'])).rejects.toBeInstanceOf(UsageError);
    const status = JSON.parse(await run(sandboxStatusCommand, [], {}, true));
    expect(status).toMatchObject({ seed: 'demo', accessTokenLifetimeSec: 120, server: null, faults: [] });
    expect(Object.values(status.requisitionsByStatus).reduce((a: number, b) => a + (b as number), 0)).toBe(37);
    const text = await run(sandboxStatusCommand);
    expect(text).toContain('not running (start it with `apdesk sandbox`)');
    expect(text).toMatch(/9007199254740997\s+2303\s+SC-2303-01\s+ELEC-02/);
    expect(text).toContain('+DocuSign');
  });

  it('requisition add: the next invoice on a commitment, its items coded by cost_code_id alone on request; requisition --coding switches it', async () => {
    const text = await run(sandboxRequisitionAddCommand, [], { commitment: '786001', status: 'approved', coding: 'cost-code-id' });
    const [, id, amount] = /^Added requisition (\d+) \(SC-2301-01 #4, ABC Concrete Co\., (\d+\.\d\d)\)/.exec(text) ?? [];
    expect(Number(amount)).toBeGreaterThan(0);
    expect(text).toBe(
      `Added requisition ${id} (SC-2301-01 #4, ABC Concrete Co., ${amount}), approved, items naming their cost code by cost_code_id alone; ` +
        `it has no attachment yet — \`apdesk sandbox attach --requisition ${id} FILE\`.`,
    );
    expect((await readState(join(dataDir, 'sandbox'))).requisitions.find((r) => r.id === id)).toMatchObject({ status: 'approved', itemCoding: 'cost-code-id', attachmentIds: [] });
    const plain = JSON.parse(await run(sandboxRequisitionAddCommand, [], { commitment: '786001', 'invoice-number': 'ABC-77' }, true));
    expect(plain).toMatchObject({ commitmentNumber: 'SC-2301-01', number: 5, invoiceNumber: 'ABC-77', status: 'under_review', itemCoding: 'wbs' });
    expect(await run(sandboxRequisitionCommand, [], { id: plain.id, coding: 'cost-code-id' })).toMatch(
      new RegExp(`^Requisition ${plain.id} \\(SC-2301-01 #5, ABC Concrete Co\\.\\) is under_review, origin id none, ERP status none, items naming their cost code by cost_code_id alone; updated at \\S+Z\\.$`),
    );
    expect(JSON.parse(await run(sandboxRequisitionCommand, [], { id: plain.id, coding: 'wbs' }, true)).itemCoding).toBe('wbs');
    await expect(run(sandboxRequisitionAddCommand)).rejects.toThrow(/say which commitment with --commitment ID/);
    await expect(run(sandboxRequisitionAddCommand, [], { commitment: 'SC-1' })).rejects.toThrow(/--commitment takes a Procore commitment id \(digits\)/);
    await expect(run(sandboxRequisitionAddCommand, [], { commitment: '42' })).rejects.toThrow('no commitment 42 in the sandbox');
  });

  it('say how to start a sandbox when the data dir has none', async () => {
    const empty = await tempDir();
    const ctx = { dataDir: empty };
    await expect(
      sandboxStatusCommand.run({
        json: false, values: {}, positionals: [], out: () => undefined, write: async () => undefined, note: () => undefined, stdin: process.stdin,
        desk: async () => ({ ...ctx, user: 'tester' }) as unknown as Desk,
        env: {},
      }),
    ).rejects.toThrow(/there is no sandbox in .* yet — start one with `apdesk sandbox`/);
    await mkdir(join(empty, 'sandbox'));
    await writeFile(join(empty, 'sandbox', 'state.json'), '{"schema":1,');
    await expect(listFaults(join(empty, 'sandbox'))).rejects.toThrow(/state.json is not valid JSON .* — delete .*sandbox to start a fresh sandbox/);
  });
});
