#!/usr/bin/env node
// Part of the build (npm run build): replaces dist/tui/ink.js, which tsc emits as a re-export of
// ink, with one bundled file of ink and its dependencies, so the console loads one module instead
// of ~600 (0.2 s instead of 0.6 s on the development machine). React stays external: the console
// and ink must share one React. Without esbuild the re-export stays, and the console only starts
// slower. Nothing is done when the bundle is newer than ink.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${root}dist/tui/ink.js`;
const MARK = '// apdesk: ink bundled by bin/bundle-ink.mjs';

if (!existsSync(target)) process.exit(0);
const inkManifest = `${root}node_modules/ink/package.json`;
const current = readFileSync(target, 'utf8');
if (current.startsWith(MARK) && existsSync(inkManifest) && statSync(target).mtimeMs > statSync(inkManifest).mtimeMs) process.exit(0);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('apdesk build: esbuild is not installed; the console loads ink unbundled (slower to start)\n');
  process.exit(0);
}
try {
  const result = await esbuild.build({
    stdin: { contents: "export * from 'ink';", resolveDir: root, sourcefile: 'ink-entry.js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    external: ['react'],
    // ink loads the React devtools only when DEV is set; the bundle leaves them out.
    plugins: [
      {
        name: 'no-devtools',
        setup(build) {
          build.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'devtools', namespace: 'apdesk-empty' }));
          build.onLoad({ filter: /.*/, namespace: 'apdesk-empty' }, () => ({ contents: 'export default {}; export const connectToDevTools = () => {};' }));
        },
      },
    ],
    banner: { js: `${MARK}\nimport { createRequire as __apdeskCreateRequire } from 'node:module';\nconst require = __apdeskCreateRequire(import.meta.url);` },
    logLevel: 'silent',
  });
  writeFileSync(target, result.outputFiles[0].text);
} catch (error) {
  process.stderr.write(`apdesk build: could not bundle ink (${error.message.split('\n')[0]}); the console loads it unbundled\n`);
}
