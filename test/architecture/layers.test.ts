// The layer rules hold on the real tree, and the check catches each kind of violation planted in it.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { checkLayers, importsOf, readSourceTree, type SourceFile } from './layers.js';

const SOURCE = fileURLToPath(new URL('../../source', import.meta.url));

describe('layer rules', () => {
  it('hold for every file under source/', async () => {
    const files = await readSourceTree(SOURCE);
    expect(files.length).toBeGreaterThan(50);
    expect(checkLayers(files)).toEqual([]);
  });

  it('reads every kind of import, and not the ones in comments', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export { c } from './c.js';",
      "import * as d from 'node:fs';",
      "const e = await import('../e/e.js');",
      "// import { f } from '../f/f.js';",
      "/* import { g } from 'axios'; */",
      "import {\n  h,\n  type H,\n} from '../h/h.js';",
    ].join('\n');
    expect(importsOf(text)).toEqual(['./a.js', '../b/b.js', './c.js', 'node:fs', '../h/h.js', '../e/e.js']);
  });

  const planted: [string, SourceFile, RegExp][] = [
    ['domain reading the disk', { path: 'domain/planted.ts', text: "import { readFile } from 'node:fs/promises';" }, /domain\/ does no I\/O/],
    ['domain reaching into the store', { path: 'domain/planted.ts', text: "import type { Store } from '../store/store.js';" }, /domain\/ imports nothing outside itself/],
    ['domain using a package', { path: 'domain/planted.ts', text: "import { z } from 'zod';" }, /domain\/ imports nothing outside itself/],
    ['the console using axios', { path: 'tui/planted.tsx', text: "import axios from 'axios';" }, /axios is used only in procore\/ and sandbox\//],
    ['a command opening the store', { path: 'commands/planted.ts', text: "import { Store } from '../store/store.js';" }, /commands\/ reaches the store only through the desk's services/],
    ['a command loading lowdb late', { path: 'commands/planted.ts', text: "const { Low } = await import('lowdb');" }, /lowdb is used only in store\//],
    ['pdf-lib outside documents', { path: 'app/planted.ts', text: "import { PDFDocument } from '@cantoo/pdf-lib';" }, /@cantoo\/pdf-lib is used only in documents\//],
    ['a folder cycle', { path: 'store/planted.ts', text: "import type { Desk } from '../app/desk.js';" }, /no import cycles between folders/],
  ];
  it.each(planted)('catch %s', async (_what, file, rule) => {
    const files = await readSourceTree(SOURCE);
    const violations = checkLayers([...files, file]);
    expect(violations.map((violation) => `${violation.file}: ${violation.rule}`).join('\n')).toMatch(rule);
  });
});
