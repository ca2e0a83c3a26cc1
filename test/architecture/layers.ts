// The layer rules of source/ (source/ARCHITECTURE.md), as a check over the import statements of
// every source file. It reads the files as text; `layers.test.ts` runs it on the real tree and on
// trees with a planted violation, so a wrong import fails `npm test`, not a review.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, normalize, relative } from 'node:path';

export interface SourceFile {
  /** Relative to source/, with forward slashes: `domain/money.ts`. */
  path: string;
  text: string;
}

export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

/** Each npm package that only one part of the tree may use. */
const PACKAGE_HOMES: Record<string, readonly string[]> = {
  lowdb: ['store'],
  axios: ['procore', 'sandbox'],
  '@cantoo/pdf-lib': ['documents'],
  'pdf-lib': ['documents'],
};

export async function readSourceTree(root: string): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.(ts|tsx)$/.test(entry.name)) files.push({ path: relative(root, full).split('\\').join('/'), text: await readFile(full, 'utf8') });
    }
  }
  await walk(root);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every module a file names: static imports and re-exports (type-only ones too) and dynamic import(). */
export function importsOf(text: string): string[] {
  const code = withoutComments(text);
  const found: string[] = [];
  for (const match of code.matchAll(/(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g)) found.push(match[1]!);
  for (const match of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1]!);
  return found;
}

/** The part of the architecture a file belongs to: its first folder under source/, or '.' for cli.tsx. */
export function partOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : '.';
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

export function checkLayers(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  const edges = new Map<string, Map<string, string>>();
  for (const file of files) {
    const part = partOf(file.path);
    for (const specifier of importsOf(file.text)) {
      const relativeImport = specifier.startsWith('.');
      const target = relativeImport ? normalize(join(dirname(file.path), specifier)).split('\\').join('/') : null;
      const add = (rule: string) => violations.push({ file: file.path, specifier, rule });
      if (target !== null) {
        if (target.startsWith('..')) {
          add('imports from outside source/');
          continue;
        }
        const targetPart = partOf(target);
        if (part === 'domain' && targetPart !== 'domain') add('domain/ imports nothing outside itself');
        if ((part === 'tui' || part === 'commands') && targetPart === 'store') add(`${part}/ reaches the store only through the desk's services`);
        if (targetPart !== part) {
          const out = edges.get(part) ?? new Map<string, string>();
          if (!out.has(targetPart)) out.set(targetPart, `${file.path} → ${specifier}`);
          edges.set(part, out);
        }
        continue;
      }
      if (part === 'domain') add(specifier.startsWith('node:') ? 'domain/ does no I/O (no Node modules)' : 'domain/ imports nothing outside itself');
      const homes = PACKAGE_HOMES[packageName(specifier)];
      if (homes && !homes.includes(part)) add(`${packageName(specifier)} is used only in ${homes.map((home) => `${home}/`).join(' and ')}`);
    }
  }
  for (const cycle of folderCycles(edges)) {
    violations.push({ file: cycle.via, specifier: cycle.parts.join(' → '), rule: 'no import cycles between folders' });
  }
  return violations;
}

/** Cycles in the graph of folders, each reported once, with one import that closes it. */
function folderCycles(edges: Map<string, Map<string, string>>): { parts: string[]; via: string }[] {
  const cycles: { parts: string[]; via: string }[] = [];
  const seen = new Set<string>();
  const visit = (start: string, node: string, path: string[]) => {
    for (const [next, via] of edges.get(node) ?? []) {
      if (next === start) {
        const parts = [...path, start];
        const key = [...path].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push({ parts, via });
        }
      } else if (!path.includes(next) && next > start) {
        visit(start, next, [...path, next]);
      }
    }
  };
  for (const start of [...edges.keys()].sort()) visit(start, start, [start]);
  return cycles;
}
