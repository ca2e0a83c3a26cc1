import { describe, expect, it } from 'vitest';
import { procoreId, procoreInvoiceId, slugify } from '../../source/domain/ids.js';
import {
  findVault,
  newQueue,
  newVault,
  parseAccounting,
  parseLicence,
  requireAdmin,
  requireQueue,
  requireVault,
  supportsProcore,
  type Vault,
} from '../../source/domain/vault.js';

const now = '2026-11-26T00:00:00.000Z';
const make = (name: string, existing: Vault[] = [], accounting: Vault['accounting'] = 'sage300') =>
  newVault(existing, { name, accounting, createdBy: 'pat', now });

describe('vaults', () => {
  it('derives a typeable id from the name and keeps ids unique', () => {
    const first = make('Harbor Builders, Inc.');
    expect(first.id).toBe('harbor-builders-inc');
    const second = make('Harbor Builders Inc', [first]);
    expect(second.id).toBe('harbor-builders-inc-2');
  });

  it('refuses a second vault with the same name in any case', () => {
    const first = make('Harbor');
    expect(() => make('HARBOR', [first])).toThrow("a vault named 'Harbor' already exists");
  });

  it.each(['', '   ', '!!!', 'a\u0007b', 'x'.repeat(81)])('refuses the name %j', (name) => {
    expect(() => make(name)).toThrow(/vault name/);
  });

  it('is found by id or by name in any case', () => {
    const vault = make('Harbor Builders');
    expect(findVault([vault], 'harbor-builders')).toBe(vault);
    expect(findVault([vault], 'HARBOR builders')).toBe(vault);
    expect(() => requireVault([vault], 'nope')).toThrow("no vault 'nope' — known vaults: Harbor Builders");
    expect(() => requireVault([], 'nope')).toThrow(/there are no vaults yet/);
  });

  it('has a Procore configuration only when bridged to Sage 100 or Sage 300', () => {
    expect(supportsProcore(make('A', [], 'sage100'))).toBe(true);
    expect(supportsProcore(make('B', [], 'sage300'))).toBe(true);
    expect(supportsProcore(make('C', [], 'other'))).toBe(false);
  });

  it('parses accounting systems and licences, naming the choices when wrong', () => {
    expect(parseAccounting('Sage 300')).toBe('sage300');
    expect(parseAccounting('SAGE100')).toBe('sage100');
    expect(() => parseAccounting('quickbooks')).toThrow('sage100, sage300, other');
    expect(parseLicence('cloud-sync')).toBe('cloud-sync');
    expect(parseLicence('cloudsync')).toBe('cloud-sync');
    expect(() => parseLicence('docusign')).toThrow('procore, cloud-sync');
  });
});

describe('queues', () => {
  it('are unique per vault and found by name or id', () => {
    const vault = make('Harbor');
    vault.queues.push(newQueue(vault, { name: 'AP Inbox', now }));
    expect(() => newQueue(vault, { name: 'ap inbox', now })).toThrow(/already has a queue/);
    expect(requireQueue(vault, 'ap-inbox').name).toBe('AP Inbox');
    expect(() => requireQueue(vault, 'Procore')).toThrow("has no queue 'Procore' — its queues: AP Inbox");
  });
});

describe('roles', () => {
  it('lets only admins administer, and says how to become one', () => {
    const users = [{ name: 'pat', roles: ['admin' as const] }, { name: 'lee', roles: ['processor' as const] }];
    expect(() => requireAdmin(users, 'pat', 'add a vault')).not.toThrow();
    expect(() => requireAdmin(users, 'lee', 'add a vault')).toThrow("user 'lee' may not add a vault");
    expect(() => requireAdmin(users, 'ghost', 'add a vault')).toThrow(expect.objectContaining({ remedy: { action: 'user.add', args: { user: 'ghost', role: 'admin' } } }));
  });
});

describe('ids', () => {
  it('keeps Procore ids above 2^53 exact as strings', () => {
    const big = '9007199254740993';
    expect(procoreId(big)).toBe(big);
    expect(procoreId(9007199254740993n)).toBe(big);
    expect(() => procoreId(9007199254740993)).toThrow(/lost precision/);
    expect(procoreInvoiceId(procoreId('562949953421312'), procoreId(big))).toBe(`PC-562949953421312-${big}`);
  });

  it('slugifies accents and punctuation away', () => {
    expect(slugify('Ça Va — Builders')).toBe('ca-va-builders');
  });
});
