// Vitest global setup: brings dist/ up to date before any test spawns bin/apdesk.js, so a plain
// `npx vitest run` after editing source/ never tests a stale build (near-instant when nothing changed).
// Type errors do not stop the run: the JavaScript is still emitted, and `npm test` type-checks first.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildBinary(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
  const result = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (result.error) throw new Error(`could not build dist/ for the tests that run bin/apdesk.js: ${result.error.message}`);
  if (result.status !== 0) {
    process.stderr.write(`warning: tsc -b tsconfig.build.json reported errors; the tests run what it emitted:\n${result.stdout}${result.stderr}\n`);
  }
}
