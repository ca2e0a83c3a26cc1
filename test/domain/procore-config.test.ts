import { describe, expect, it } from 'vitest';
import { configureProcore, defaultProcoreConfig, requireProcoreAvailable, type ProcoreConfig } from '../../source/domain/procore-config.js';
import type { Vault } from '../../source/domain/vault.js';
import { UserError } from '../../source/domain/errors.js';

function thrown(act: () => unknown): UserError {
  try {
    act();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}
import type { ProcoreId, QueueId, VaultId } from '../../source/domain/ids.js';

function vault(id: string, overrides: Partial<Vault> = {}): Vault {
  return {
    id: id as VaultId,
    name: id.toUpperCase(),
    accounting: 'sage300',
    licences: ['procore', 'cloud-sync'],
    queues: [{ id: 'procore-invoices' as QueueId, name: 'Procore Invoices', createdAt: 'x' }],
    createdAt: 'x',
    createdBy: 'pat',
    ...overrides,
  };
}

const company = { id: '562949953421312' as ProcoreId, name: 'Harbor Builders' };
const ready = { configured: true, enabled: true };

function run(target: Vault, changes: Parameters<typeof configureProcore>[2], others: Vault[] = [], backfiller = ready) {
  return configureProcore(target, target.procore ?? defaultProcoreConfig(), changes, {
    vaults: [target, ...others],
    backfiller,
    configOf: (v) => v.procore,
  });
}

describe('the Procore configuration rules', () => {
  it('exists only for Sage 100 and Sage 300 vaults', () => {
    expect(() => requireProcoreAvailable(vault('a', { accounting: 'other' }))).toThrow(
      "vault 'A' is bridged to Other: the Procore configuration is only available for vaults bridged to Sage 100 or Sage 300",
    );
    expect(() => requireProcoreAvailable(vault('b', { accounting: 'sage100' }))).not.toThrow();
  });

  it('needs the procore licence, with the page prompt', () => {
    expect(() => run(vault('a', { licences: [] }), {})).toThrow(/^A license is required for Procore\. Vault '[^']+' has none — an admin can grant it$/);
    expect(thrown(() => run(vault('a', { licences: [] }), {})).remedy).toEqual({ action: 'license.grant', args: { vault: 'a', licence: 'procore' } });
  });

  it('defaults to automated import into a queue', () => {
    expect(defaultProcoreConfig().behavior).toBe('auto-queue');
    const { config } = run(vault('a'), { company, queue: 'Procore Invoices' });
    expect(config.behavior).toBe('auto-queue');
    expect(config.queueId).toBe('procore-invoices');
    expect(config.companyId).toBe(company.id);
  });

  it('ties one company to one vault and names the vault that has it', () => {
    const other = vault('b', { name: 'Quarry Co', procore: { ...defaultProcoreConfig(), companyId: company.id } });
    expect(() => run(vault('a'), { company }, [other])).toThrow(/already tied to vault 'Quarry Co'/);
    // Saving the same company again on its own vault is fine.
    expect(run(other, { company }).config.companyId).toBe(company.id);
  });

  it('refuses a queue that does not exist', () => {
    expect(() => run(vault('a'), { queue: 'Nope' })).toThrow(/has no queue 'Nope'/);
  });

  it('refuses payments write-back without the check backfiller, saying how to enable it', () => {
    expect(() => run(vault('a'), { createPayments: true }, [], { configured: false, enabled: false })).toThrow(
      /Job Poll Invoice Check Backfiller job to be configured and enabled for vault/,
    );
    expect(thrown(() => run(vault('a'), { createPayments: true }, [], { configured: false, enabled: false })).remedy).toEqual({
      action: 'jobs.enable',
      args: { vault: 'a', job: 'check-backfiller' },
    });
    expect(() => run(vault('a'), { createPayments: true }, [], { configured: true, enabled: false })).toThrow(/to be enabled for vault/);
    expect(run(vault('a'), { createPayments: true }).config.createPayments).toBe(true);
    expect(run(vault('a'), { createPayments: false }, [], { configured: false, enabled: false }).config.createPayments).toBe(false);
  });

  it('saves automated behaviours without cloud-sync, with a warning', () => {
    const { config, warnings } = run(vault('a', { licences: ['procore'] }), { company, behavior: 'auto-route', queue: 'procore-invoices' });
    expect(config.behavior).toBe('auto-route');
    expect(warnings).toEqual([
      { message: expect.stringMatching(/cloud-sync licence .* nothing will import until the licence is granted/), remedy: { action: 'license.grant', args: { vault: 'a', licence: 'cloud-sync' } } },
    ]);
    expect(run(vault('b', { licences: ['procore'] }), { company: { ...company, id: '7' as ProcoreId }, behavior: 'manual' }).warnings).toEqual([]);
  });

  it('warns while an automated import has no queue or company', () => {
    const messages = run(vault('a'), {}).warnings.map((warning) => warning.message);
    expect(messages.join('\n')).toMatch(/no queue yet/);
    expect(messages.join('\n')).toMatch(/no company selected/);
  });

  it('sets allow-edit', () => {
    const before: ProcoreConfig = defaultProcoreConfig();
    expect(before.allowEdit).toBe(false);
    expect(run(vault('a'), { allowEdit: true }).config.allowEdit).toBe(true);
  });
});
