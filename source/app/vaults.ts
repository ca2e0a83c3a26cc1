// Vaults, licences, queues and users: the admin side of a data dir.
import { UserError } from '../domain/errors.js';
import {
  licenceRefusal,
  newQueue,
  newVault,
  requireAdmin,
  requireVault,
  type AccountingSystem,
  type Licence,
  type Queue,
  type Role,
  type User,
  type Vault,
} from '../domain/vault.js';
import type { DeskContext } from './context.js';

export async function addVault(desk: DeskContext, input: { name: string; accounting: AccountingSystem }): Promise<Vault> {
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'add a vault');
    const vault = newVault(tx.settings.vaults, { ...input, createdBy: tx.user, now: tx.now });
    tx.settings.vaults.push(vault);
    return vault;
  });
}

export async function setLicence(
  desk: DeskContext,
  input: { vault: string; licence: Licence; granted: boolean },
): Promise<{ vault: Vault; changed: boolean }> {
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, `${input.granted ? 'grant' : 'revoke'} a licence`);
    const vault = requireVault(tx.settings.vaults, input.vault);
    const refusal = input.granted ? licenceRefusal(vault, input.licence) : null;
    if (refusal) throw new UserError(refusal);
    const has = vault.licences.includes(input.licence);
    if (has === input.granted) return { vault, changed: false };
    vault.licences = input.granted
      ? [...vault.licences, input.licence].sort()
      : vault.licences.filter((licence) => licence !== input.licence);
    return { vault, changed: true };
  });
}

export async function addQueue(desk: DeskContext, input: { vault: string; name: string }): Promise<{ vault: Vault; queue: Queue }> {
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'add a queue');
    const vault = requireVault(tx.settings.vaults, input.vault);
    const queue = newQueue(vault, { name: input.name, now: tx.now });
    vault.queues.push(queue);
    return { vault, queue };
  });
}

export async function setUserRoles(desk: DeskContext, input: { name: string; roles: Role[] }): Promise<User> {
  const name = input.name.trim();
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) {
    throw new UserError(`user name '${input.name}' may contain only letters, digits, '.', '_', '@' and '-'`);
  }
  if (input.roles.length === 0) throw new UserError('give the user at least one --role (admin, processor, reviewer)');
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'manage users');
    const roles = [...new Set(input.roles)].sort();
    const existing = tx.settings.users.find((user) => user.name === name);
    if (existing) {
      if (existing.name === tx.user && existing.roles.includes('admin') && !roles.includes('admin')) {
        const admins = tx.settings.users.filter((user) => user.roles.includes('admin'));
        if (admins.length === 1) throw new UserError(`'${name}' is the only admin; make another admin first`);
      }
      existing.roles = roles;
      return existing;
    }
    const user: User = { name, roles };
    tx.settings.users.push(user);
    return user;
  });
}
