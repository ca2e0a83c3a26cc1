// Vaults, licences, queues and users: the admin side of a data dir.
import { access, constants, realpath, stat } from 'node:fs/promises';
import { relative, resolve, isAbsolute } from 'node:path';
import { UserError } from '../domain/errors.js';
import {
  licenceRefusal,
  newQueue,
  newVault,
  requireAdmin,
  requireQueue,
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

/**
 * Points a queue at the folder the folder-watch job takes its files from, or (dir null) at none.
 * The folder must exist and be readable and writable now: the job moves what it takes into
 * imported/ and refused/ inside it. A relative path is taken from the current folder and stored
 * absolute, since the sync loop runs elsewhere.
 */
export async function setQueueInbox(
  desk: DeskContext,
  input: { vault: string; queue: string; dir: string | null },
): Promise<{ vault: Vault; queue: Queue; changed: boolean }> {
  // Refuse a non-admin before saying anything about folders on this machine.
  const before = await desk.store.settings();
  requireAdmin(before.users, desk.user, 'set a queue inbox');
  requireQueue(requireVault(before.vaults, input.vault), input.queue);
  const dir = input.dir === null ? null : await checkInboxFolder(desk, input.dir);
  const seen = dir === null ? null : await realpath(dir);
  const others: { vault: Vault; queue: Queue; real: string }[] = [];
  if (seen !== null) {
    for (const vault of before.vaults) {
      for (const queue of vault.queues) {
        if (queue.inbox) others.push({ vault, queue, real: await realpath(queue.inbox).catch(() => resolve(queue.inbox!)) });
      }
    }
  }
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'set a queue inbox');
    const vault = requireVault(tx.settings.vaults, input.vault);
    const queue = requireQueue(vault, input.queue);
    // Two queues watching one folder would race for every file dropped there.
    const clash = others.find((other) => other.real === seen && !(other.vault.id === vault.id && other.queue.id === queue.id));
    if (clash) {
      throw new UserError(
        `${dir} is already the inbox of queue '${clash.queue.name}' in vault '${clash.vault.name}'; one folder feeds one queue — give another folder; nothing was changed`,
      );
    }
    if ((queue.inbox ?? null) === dir) return { vault, queue, changed: false };
    if (dir === null) delete queue.inbox;
    else queue.inbox = dir;
    return { vault, queue, changed: true };
  });
}

async function checkInboxFolder(desk: DeskContext, given: string): Promise<string> {
  if (!given.trim()) throw new UserError('the inbox folder is empty; give the path of a folder, or --clear to stop watching one');
  const dir = resolve(given);
  const nothing = 'nothing was changed';
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`folder ${dir} does not exist — create it first (mkdir -p), or give the folder files are dropped into; ${nothing}`);
    if (code === 'ENOTDIR') throw new UserError(`${dir} is not a folder — give the folder files are dropped into; ${nothing}`);
    throw new UserError(`folder ${dir} cannot be reached (${code === 'EACCES' ? 'permission denied' : (error as Error).message}); ${nothing}`);
  }
  if (!info.isDirectory()) throw new UserError(`${dir} is a file, not a folder — give the folder files are dropped into; ${nothing}`);
  try {
    // X as well: a folder without it can be listed but none of its files opened.
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    const who = desk.actingAdmin ?? desk.user;
    throw new UserError(
      `folder ${dir} is not readable and writable by ${who} — the folder watch reads the files dropped there and moves them into imported/ and refused/ inside it; give ${who} read and write access to it; ${nothing}`,
    );
  }
  // Files moved into the data dir would be mixed with apdesk's own.
  const inData = relative(resolve(desk.dataDir), dir);
  if (inData === '' || (!inData.startsWith('..') && !isAbsolute(inData))) {
    throw new UserError(`folder ${dir} is inside the data dir ${desk.dataDir}; give a folder outside it; ${nothing}`);
  }
  return dir;
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
