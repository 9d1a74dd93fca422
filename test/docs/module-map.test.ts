import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const moduleMap = readFileSync(join(root, 'docs/modules.md'), 'utf8');

/** Backticked repository paths of the module map (`a/b.ts`, `a/*.ts`, `a/<x>/{valid,invalid}/`). */
function mappedPaths(text: string): string[] {
  const paths = new Set<string>();
  for (const match of text.matchAll(/`([a-z][\w./*<>{},-]*\/[\w./*<>{},-]*)`/g)) {
    const path = match[1] ?? '';
    if (!/\.(ts|js|json)$|\/$/.test(path)) continue;
    // reports/ is generated output (gitignored), not a repository path.
    if (path.startsWith('reports/')) continue;
    paths.add(path);
  }
  return [...paths].sort();
}

/** Whether a mapped path exists; `dir/*.ts` needs at least one `.ts` file in `dir`. */
function exists(path: string): boolean {
  if (path.includes('<')) return existsSync(join(root, path.slice(0, path.indexOf('<'))));
  const star = path.indexOf('*');
  if (star < 0) return existsSync(join(root, path));
  const dir = join(root, path.slice(0, path.lastIndexOf('/', star)));
  const suffix = path.slice(star + 1);
  return existsSync(dir) && readdirSync(dir).some((name) => name.endsWith(suffix));
}

describe('docs/modules.md', () => {
  it('maps modules to files and tests that exist', () => {
    const paths = mappedPaths(moduleMap);
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((path) => !exists(path))).toEqual([]);
  });

  it('names every test file of the repository somewhere in the map', () => {
    const mapped = new Set(mappedPaths(moduleMap));
    const testFiles: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
        const rel = `${dir}/${entry.name}`;
        if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'fixtures') {
          walk(rel);
        } else if (entry.name.endsWith('.test.ts')) testFiles.push(rel);
      }
    };
    for (const top of ['contracts', 'machines', 'actors', 'adapters', 'replay', 'test']) walk(top);
    const covered = (file: string) =>
      mapped.has(file) ||
      [...mapped].some((p) => p.endsWith('*.ts') && file.startsWith(p.slice(0, p.indexOf('*'))));
    expect(testFiles.filter((file) => !covered(file) && !file.startsWith('test/docs/'))).toEqual(
      [],
    );
  });
});
