import { UsageError } from '../domain/errors.js';
import { parseRole } from '../domain/vault.js';
import { printJson, type Command, flagValue } from './command.js';
import { table } from './format.js';

export const userListCommand: Command = {
  path: ['user', 'list'],
  summary: 'List the users of this data dir and their roles',
  usage: 'apdesk user list [--json]',
  json: true,
  async run(ctx) {
    const users = await (await ctx.desk()).users.list();
    if (ctx.json) return printJson(ctx, users);
    if (!users.length) return ctx.out('No users yet: whoever first changes this data dir becomes its admin.');
    ctx.out(table(['USER', 'ROLES'], users.map((user) => [user.name, user.roles.join(', ')])));
  },
};

export const userAddCommand: Command = {
  path: ['user', 'add'],
  summary: "Add a user, or set a user's roles (admin, processor, reviewer)",
  usage: 'apdesk user add NAME --role ROLE [--role ROLE...]',
  details: 'The current user is the OS user unless --user says otherwise. Whoever first writes to a data dir is its admin.',
  options: { role: { type: 'string', multiple: true, value: 'ROLE', description: 'admin, processor or reviewer (repeatable)' } },
  positionals: { min: 1, max: 1, names: 'NAME' },
  json: true,
  async run(ctx) {
    const raw = ctx.values.role;
    const roles = (Array.isArray(raw) ? raw : []).flatMap((value) => value.split(',')).filter(Boolean).map((role) => flagValue(() => parseRole(role)));
    if (!roles.length) throw new UsageError('give at least one --role admin|processor|reviewer');
    const user = await (await ctx.desk()).users.setRoles({ name: ctx.positionals[0] ?? '', roles });
    if (ctx.json) return printJson(ctx, user);
    ctx.out(`User '${user.name}' has roles: ${user.roles.join(', ')}.`);
  },
};
