#!/usr/bin/env node
// Runs apdesk from the JavaScript that `npm install` compiled into dist/ (see tsconfig.build.json):
// no compiler on the start path, and no dependence on the folder it is started from.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('apdesk: not built yet (dist/cli.js is missing) — run `npm install` or `npm run build` in the apdesk folder\n');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
});
process.exitCode = code;
