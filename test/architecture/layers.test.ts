import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering, read from the source files themselves (no product module is imported): dependencies point inward,
 * cli/server -> services -> registry/disk/remote -> shared, and each folder stays small enough to read.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SOURCE_ROOTS = ['sidecar', 'shared', 'extension'];
const CODE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
/** A folder past this many files of its own splits by feature. */
const MAX_FILES_PER_FOLDER = 15;

/** Every file below `dir` (relative to the repository root, `/`-separated). */
function filesBelow(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return filesBelow(relative);
    return entry.isFile() ? [relative] : [];
  });
}

/** Every folder at and below `dir`, with the number of files it holds directly. */
function foldersBelow(dir: string): { dir: string; files: number }[] {
  const entries = readdirSync(path.join(ROOT, dir), { withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).length;
  const below = entries.filter((entry) => entry.isDirectory()).flatMap((entry) => foldersBelow(`${dir}/${entry.name}`));
  return [{ dir, files }, ...below];
}

/**
 * The module specifiers a file imports: static imports and re-exports (type-only ones included), side-effect
 * imports, dynamic `import()` and `require()`.
 */
function specifiersOf(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1] ?? ''));
}

interface ImportEdge {
  /** The importing file, relative to the repository root. */
  file: string;
  /** The specifier as written. */
  specifier: string;
  /** Where a relative specifier points, relative to the repository root; undefined for a package or node: module. */
  target?: string;
}

function importsBelow(dir: string): ImportEdge[] {
  return filesBelow(dir)
    .filter((file) => CODE.test(file))
    .flatMap((file) =>
      specifiersOf(readFileSync(path.join(ROOT, file), 'utf8')).map((specifier) => {
        if (!specifier.startsWith('.')) return { file, specifier };
        const target = path
          .relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier))
          .split(path.sep)
          .join('/');
        return { file, specifier, target };
      }),
    );
}

const inside = (target: string | undefined, folder: string) =>
  target !== undefined && (target === folder || target.startsWith(`${folder}/`));
const describeEdge = ({ file, specifier }: ImportEdge) => `${file} imports ${specifier}`;

describe('layers', () => {
  it('keeps sidecar/cli away from disk, registry and remote: it goes through services', () => {
    const offending = importsBelow('sidecar/cli').filter(({ target }) =>
      ['sidecar/disk', 'sidecar/registry', 'sidecar/remote'].some((folder) => inside(target, folder)),
    );
    expect(offending.map(describeEdge)).toEqual([]);
  });

  it('keeps sidecar/services free of the cli, the server, the terminal UI and their packages', () => {
    const packages = ['express', 'ws', 'commander', 'ink', 'cli-progress'];
    const offending = importsBelow('sidecar/services').filter(
      ({ specifier, target }) =>
        ['sidecar/cli', 'sidecar/server', 'sidecar/tui'].some((folder) => inside(target, folder)) ||
        packages.some((name) => specifier === name || specifier.startsWith(`${name}/`)),
    );
    expect(offending.map(describeEdge)).toEqual([]);
  });

  it('keeps shared/ runnable in a browser and in Node alike: no node: module, nothing from outside shared/', () => {
    const offending = importsBelow('shared').filter(
      ({ specifier, target }) => specifier.startsWith('node:') || (target !== undefined && !inside(target, 'shared')),
    );
    expect(offending.map(describeEdge)).toEqual([]);
  });

  it(`holds at most ${MAX_FILES_PER_FOLDER} files in any source folder`, () => {
    const crowded = SOURCE_ROOTS.flatMap(foldersBelow).filter(({ files }) => files > MAX_FILES_PER_FOLDER);
    expect(crowded.map(({ dir, files }) => `${dir} holds ${files} files`)).toEqual([]);
  });
});

describe('product text', () => {
  it('names no outside document and no numbered spec: the code describes itself', () => {
    const foreign = /seed 00|Seed 00|seed00|DESIGN\.md|reference section/;
    const mentions = SOURCE_ROOTS.flatMap(filesBelow).flatMap((file) =>
      readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => (foreign.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(mentions).toEqual([]);
  });
});
