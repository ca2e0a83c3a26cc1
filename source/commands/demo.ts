// `apdesk demo`: the demo vault, made headless, so the README's walk-through runs without opening
// the console first. Only ever in an empty data dir.
import { printJson, type Command } from './command.js';

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'Create the demo vault (embedded Procore sandbox and ledger) in an empty data dir',
  usage: 'apdesk demo [--data-dir DIR] [--json]',
  details:
    'What the first `npm start` does, without the console: the vault "Demo Construction" bridged to Sage 300\n' +
    'with the embedded demo ledger, the local Procore sandbox, two queues and one scanned invoice in AP Inbox.\n' +
    'A data dir that already holds anything is left alone.',
  json: true,
  async run(ctx) {
    const desk = await ctx.desk();
    const vault = await desk.demo.create();
    const login = desk.demo.login;
    if (ctx.json) return printJson(ctx, { vault: vault.id, name: vault.name });
    ctx.out(
      [
        `Created the demo vault '${vault.name}' (id ${vault.id}).`,
        `Next: Grant Access as the sandbox's demo admin — apdesk procore connect --vault ${vault.id} --email ${login.email} --password ${login.password}`,
        'or open the console: apdesk',
      ].join('\n'),
    );
  },
};
