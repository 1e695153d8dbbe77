import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalCategory } from '../../../shared/canonical-category';
import type { Requirement } from '../../../shared/requirement';
import { extractRequirements } from '../../../shared/workflow/extract-requirements';

/**
 * Every workflow of the corpus against the list test/fixtures/corpus/write-expected.mjs made for it, without any of
 * the product's code. A larger corpus laid out the same way (fixtures plus `expected/`) is read too when
 * MODEL_DEPOT_CORPUS names its folder.
 */
const zExpected = z.object({
  models: z.array(
    z.object({
      folder: z.string(),
      filename: z.string(),
      url: z.string().optional(),
      source: z.enum(['loader', 'properties.models', 'models']),
      node_type: z.string().optional(),
      pack: z.string().optional(),
      mode: z.union([z.literal(2), z.literal(4)]).optional(),
      stale: z.literal(true).optional(),
    }),
  ),
  possible: z.array(z.object({ filename: z.string(), node_type: z.string(), mode: z.number().optional() })),
});
type Expected = z.infer<typeof zExpected>;

const COMMITTED = fileURLToPath(new URL('../../fixtures/corpus/', import.meta.url));
const roots = [COMMITTED, ...(process.env.MODEL_DEPOT_CORPUS ? [process.env.MODEL_DEPOT_CORPUS] : [])];

function fixturesUnder(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return path === join(root, 'expected') ? [] : fixturesUnder(root, path);
      return entry.name.endsWith('.json') ? [path] : [];
    })
    .sort();
}

interface Reading {
  rel: string;
  expected: Expected;
  requirements: Requirement[];
  possiblyNeeded: Requirement[];
}

function read(root: string): Reading[] {
  return fixturesUnder(root).map((path) => {
    const rel = relative(root, path).split(sep).join('/');
    const expected = zExpected.parse(JSON.parse(readFileSync(join(root, 'expected', rel), 'utf8')));
    const { requirements, possiblyNeeded } = extractRequirements(readFileSync(path, 'utf8'));
    return { rel, expected, requirements, possiblyNeeded };
  });
}

const keyOf = (category: string, filename: string): string => `${canonicalCategory(category) ?? category}/${filename}`;

/** Found / total per category, with the first misses named. */
class Tally {
  readonly counts = new Map<string, { found: number; total: number; misses: string[] }>();

  count(category: string, found: boolean, what: string): void {
    const row = this.counts.get(category) ?? { found: 0, total: 0, misses: [] };
    row.total += 1;
    if (found) row.found += 1;
    else if (row.misses.length < 10) row.misses.push(what);
    this.counts.set(category, row);
  }

  percent(category: string): number {
    const row = this.counts.get(category);
    return row === undefined || row.total === 0 ? 100 : (100 * row.found) / row.total;
  }

  misses(category: string): string[] {
    return this.counts.get(category)?.misses ?? [];
  }

  report(root: string, files: number): string {
    const lines = [...this.counts].map(
      ([category, { found, total }]) => `  ${category}: ${found}/${total} (${this.percent(category).toFixed(1)}%)`,
    );
    return [`corpus ${root}: ${files} workflows`, ...lines].join('\n');
  }
}

function tally(readings: Reading[]): Tally {
  const t = new Tally();
  for (const { rel, expected, requirements, possiblyNeeded } of readings) {
    const byKey = new Map(requirements.map((r) => [keyOf(r.category, r.filename), r]));
    const expectedKeys = new Set(expected.models.map((m) => keyOf(m.folder, m.filename)));
    const namedInFile = new Set([...expected.models, ...expected.possible].map((m) => m.filename));
    for (const model of expected.models) {
      const key = keyOf(model.folder, model.filename);
      const got = byKey.get(key);
      const where = `${rel}: ${key}`;
      if (model.stale) continue;
      if (model.mode !== undefined) {
        t.count('inactive nodes kept out', got === undefined || !got.required, where);
        continue;
      }
      if (model.source === 'loader') {
        const category = model.pack === 'core' ? 'core loaders' : `custom packs (${model.pack})`;
        t.count(category, got?.required === true, where);
        if (model.pack !== 'core') t.count('custom packs', got?.required === true, where);
      } else {
        t.count(`${model.source} entries`, got?.required === true, where);
      }
      if (model.url !== undefined) {
        t.count('properties.models/models URLs', got?.urls.includes(model.url) === true, `${where} <- ${model.url}`);
        if (model.filename.includes('/')) {
          t.count('URLs of files in subfolders', got?.urls.includes(model.url) === true, where);
        }
      }
    }
    for (const r of requirements) {
      const key = keyOf(r.category, r.filename);
      t.count('not invented', expectedKeys.has(key) || namedInFile.has(r.filename), `${rel}: ${key}`);
    }
    for (const r of possiblyNeeded) {
      t.count(
        'possibly needed: named in the file',
        namedInFile.has(r.filename) && !r.required,
        `${rel}: ${r.filename}`,
      );
    }
  }
  return t;
}

/** What a workflow needs as a set of file names, whichever way the file was read. */
function namesOf(reading: Reading): string[] {
  return [...new Set([...reading.requirements, ...reading.possiblyNeeded].map((r) => r.filename))].sort();
}

describe.each(roots.filter((root) => existsSync(join(root, 'expected'))))('workflow corpus %s', (root) => {
  const readings = read(root);
  const t = tally(readings);

  it('reads every core loader, every URL (subfolders included) and invents nothing', () => {
    console.log(t.report(root, readings.length));
    expect(readings.length).toBeGreaterThan(0);
    for (const category of [
      'core loaders',
      'properties.models/models URLs',
      'URLs of files in subfolders',
      'inactive nodes kept out',
      'not invented',
      'possibly needed: named in the file',
    ]) {
      expect(t.misses(category), category).toEqual([]);
    }
  });

  it('reads at least 90% of the custom packs loaders', () => {
    expect(t.percent('custom packs'), t.misses('custom packs').join('\n')).toBeGreaterThanOrEqual(90);
  });

  it('reads the UI and API twins of one workflow to the same files', () => {
    const byRel = new Map(readings.map((r) => [r.rel, r]));
    const pairs = readings.filter((r) => r.rel.endsWith('.prompt.json'));
    const differ: string[] = [];
    let twins = 0;
    for (const api of pairs) {
      const ui = byRel.get(api.rel.replace(/\.prompt\.json$/, '.workflow.json'));
      if (ui === undefined) continue;
      twins += 1;
      const [a, b] = [namesOf(ui), namesOf(api)];
      if (JSON.stringify(a) !== JSON.stringify(b))
        differ.push(`${ui.rel}: ${a.join(', ')} | ${api.rel}: ${b.join(', ')}`);
    }
    console.log(`corpus ${root}: ${twins} UI/API twins, ${differ.length} differ`);
    expect(differ).toEqual([]);
  });
});
