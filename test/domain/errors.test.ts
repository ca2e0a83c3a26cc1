import { describe, expect, it } from 'vitest';
import { describeSystemError } from '../../source/domain/errors.js';

const failure = (code: string, path?: string) => Object.assign(new Error(`${code}: …`), { code, ...(path ? { path } : {}) });

describe('what the machine refused, in words', () => {
  it.each([
    ['EACCES', '/srv/ap/settings.json', /^permission denied on \/srv\/ap\/settings\.json — .* writable by clerk; nothing was changed$/],
    ['EPERM', '/srv/ap/secrets.json', /^permission denied on \/srv\/ap\/secrets\.json/],
    ['EROFS', '/mnt/ro/settings.json', /^\/mnt\/ro\/settings\.json is on a read-only file system — give --data-dir a writable directory/],
    ['ENOSPC', '/srv/ap/vaults/x/invoices/0a1.json', /^no space left on the disk for \/srv\/ap\/vaults\/x\/invoices\/0a1\.json — free some space/],
  ])('%s', (code, path, expected) => {
    expect(describeSystemError(failure(code, path), 'clerk')).toMatch(expected);
  });

  it("names the folder, not the store's temp or lock file", () => {
    expect(describeSystemError(failure('EACCES', '/srv/ap/.apdesk.lock.17104.b5e6801aaaf962c8'), 'clerk')).toMatch(/^permission denied on \/srv\/ap — /);
    expect(describeSystemError(failure('ENOSPC', '/srv/ap/.settings.json.17104.0badf00d.tmp'), 'clerk')).toMatch(/^no space left on the disk for \/srv\/ap — /);
  });

  it('leaves anything else to be an unexpected error', () => {
    expect(describeSystemError(failure('ECONNRESET'), 'clerk')).toBeUndefined();
    expect(describeSystemError(new Error('boom'), 'clerk')).toBeUndefined();
    expect(describeSystemError(undefined, 'clerk')).toBeUndefined();
  });
});
