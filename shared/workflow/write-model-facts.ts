import type { CheckStatus } from '../check-result';
import { modelFolderPath } from '../model-folder-path';

/** What is written for one model the workflow uses. */
export interface ModelFacts {
  category: string;
  /** As the workflow names it, subfolders included (`flux/dev.safetensors`). */
  filename: string;
  sha256?: string;
  url?: string;
  /** The check's verdict: only present and linkable models have bytes on this machine to vouch for. */
  status: CheckStatus;
}

export interface WrittenFacts {
  /** The workflow with the facts written in (a deep copy; the input is not changed). */
  workflow: unknown;
  /** Per model (`category/filename`), the places written: `nodes[2].properties.models[0]`, `extra.dependencies.vae[0]`... */
  places: Map<string, string[]>;
}

type Json = Record<string, unknown>;

/**
 * Writes each model's SHA-256 and URL into the workflow: `hash` and `hash_type: "SHA256"` (and `url` when it has
 * none) into every matching `models` entry (top level, nodes, subgraphs), `sha256` (and `urls`) into matching
 * `dependencies` entries (top level, under `extra`, under `workflow`). A model the workflow names only in a loader
 * widget gets an entry of its own in the top-level `models`. Nothing else changes: no key is removed or reordered.
 * An entry whose hash is of another kind (BLAKE3...) keeps it.
 */
export function writeModelFacts(workflow: unknown, facts: readonly ModelFacts[]): WrittenFacts {
  const copy: unknown = structuredClone(workflow);
  const places = new Map<string, string[]>();
  const known = facts.filter((f) => f.sha256 !== undefined);
  /** Models some entry names, written or not (an entry keeping a hash of another kind still names its model). */
  const named = new Set<string>();
  const mark = (fact: ModelFacts, place: string | undefined) => {
    const key = `${fact.category}/${fact.filename}`;
    named.add(key);
    if (place === undefined) return;
    places.set(key, [...(places.get(key) ?? []), place]);
  };
  walk(copy, '', (value, where) => {
    if (Array.isArray(value.models)) annotateModels(value.models, `${where}models`, known, mark);
    // `extra` is visited as an object of its own, so `extra.dependencies` is met here too.
    annotateDependencies(value.dependencies, `${where}dependencies`, known, mark);
  });
  if (isObject(copy)) {
    for (const fact of known) {
      if (named.has(`${fact.category}/${fact.filename}`)) continue;
      const list = Array.isArray(copy.models) ? copy.models : [];
      copy.models = list;
      list.push({
        name: fact.filename,
        ...(fact.url !== undefined && { url: fact.url }),
        hash: fact.sha256,
        hash_type: 'SHA256',
        directory: fact.category,
      });
      mark(fact, `models[${list.length - 1}]`);
    }
  }
  return { workflow: copy, places };
}

function annotateModels(
  list: unknown[],
  where: string,
  facts: readonly ModelFacts[],
  mark: (fact: ModelFacts, place: string | undefined) => void,
): void {
  list.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.directory !== 'string') return;
    const fact = matchFact(facts, entry.directory, entry.name);
    if (!fact?.sha256) return;
    const hashType = typeof entry.hash_type === 'string' ? entry.hash_type.trim().toLowerCase() : undefined;
    if (entry.hash != null && hashType !== undefined && hashType !== 'sha256') {
      mark(fact, undefined);
      return;
    }
    entry.hash = fact.sha256;
    entry.hash_type = 'SHA256';
    if (entry.url == null && fact.url !== undefined) entry.url = fact.url;
    mark(fact, `${where}[${i}]`);
  });
}

function annotateDependencies(
  section: unknown,
  where: string,
  facts: readonly ModelFacts[],
  mark: (fact: ModelFacts, place: string | undefined) => void,
): void {
  const annotate = (entry: unknown, folder: unknown, place: string) => {
    if (!isObject(entry) || typeof entry.filename !== 'string') return;
    const directory = typeof folder === 'string' ? folder : (entry.category ?? entry.directory);
    if (typeof directory !== 'string') return;
    const fact = matchFact(facts, directory, entry.filename);
    if (!fact?.sha256) return;
    entry.sha256 = fact.sha256;
    const hasUrl = (Array.isArray(entry.urls) && entry.urls.length > 0) || typeof entry.url === 'string';
    if (!hasUrl && fact.url !== undefined) entry.urls = [fact.url];
    mark(fact, place);
  };
  if (Array.isArray(section)) {
    section.forEach((entry, i) => {
      annotate(entry, undefined, `${where}[${i}]`);
    });
    return;
  }
  if (!isObject(section)) return;
  for (const [folder, list] of Object.entries(section)) {
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      annotate(entry, folder, `${where}.${folder}[${i}]`);
    });
  }
}

/** The fact for a `directory` + `name` pair: the same file, else the same base name picked in a subfolder. */
function matchFact(facts: readonly ModelFacts[], directory: string, name: string): ModelFacts | undefined {
  const folder = modelFolderPath(directory.trim().replaceAll('\\', '/'));
  if ('problem' in folder) return undefined;
  const filename = [...folder.subfolders, name.trim().replaceAll('\\', '/')].join('/');
  const same = facts.filter((f) => f.category === folder.category);
  return (
    same.find((f) => f.filename === filename) ??
    same.find((f) => f.filename.slice(f.filename.lastIndexOf('/') + 1) === filename)
  );
}

/** Visits every object of the JSON tree with its path prefix (`nodes[2].properties.`). */
function walk(value: unknown, where: string, visit: (value: Json, where: string) => void): void {
  if (Array.isArray(value)) {
    const base = where.endsWith('.') ? where.slice(0, -1) : where;
    value.forEach((item, i) => {
      walk(item, `${base}[${i}].`, visit);
    });
    return;
  }
  if (!isObject(value)) return;
  visit(value, where);
  for (const [key, child] of Object.entries(value)) {
    if (key === 'models' || key === 'dependencies') continue;
    if (typeof child === 'object' && child !== null) walk(child, `${where}${key}.`, visit);
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
