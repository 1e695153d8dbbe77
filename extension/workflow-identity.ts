import type { Requirement } from '../shared/requirement';

type ExtractRequirements = (json: unknown) => { requirements: Requirement[] };

/**
 * Which workflow this is, for "ask once per workflow": the workflow's own `id` (ComfyUI writes a UUID) plus a
 * fingerprint of its requirement list, so an edited workflow that needs other models is asked about again, and a
 * workflow without an id is still recognised by what it needs.
 */
export function workflowKey(workflow: unknown, requirements: readonly Requirement[]): string {
  const id = isRecord(workflow) && typeof workflow.id === 'string' ? workflow.id : 'no-id';
  const fingerprint = requirements
    .map((r) => `${r.category}/${r.filename}@${r.sha256 ?? ''}`)
    .sort()
    .join('\n');
  return `${id}:${requirements.length}:${hash53(fingerprint)}`;
}

/**
 * Copies the requirements that ComfyUI would lose into `extra.dependencies` (a `dependencies` section), in place.
 * Only the first load of a workflow carries its top-level `models` and `dependencies`: on a tab switch, a restore
 * or a save the frontend re-serializes the graph and keeps nothing at the top level it does not own, but it keeps
 * `extra`. Nodes' `properties.models` survive by themselves and are not copied.
 * Returns true when it wrote something. A workflow that already has `extra.dependencies` is left as it is.
 */
export function captureRequirements(workflow: unknown, extract: ExtractRequirements): boolean {
  if (!isRecord(workflow)) return false;
  const extra = workflow.extra;
  if (extra !== undefined && extra !== null && !isRecord(extra)) return false;
  if (isRecord(extra) && extra.dependencies !== undefined) return false;
  const inner = isRecord(workflow.workflow) ? workflow.workflow : undefined;
  const lossy = {
    models: Array.isArray(workflow.models) ? workflow.models : undefined,
    dependencies: workflow.dependencies ?? inner?.dependencies,
  };
  if (lossy.models === undefined && lossy.dependencies === undefined) return false;
  const { requirements } = extract(lossy);
  if (requirements.length === 0) return false;
  const target = isRecord(extra) ? extra : {};
  target.dependencies = toDependenciesSection(requirements);
  workflow.extra = target;
  return true;
}

/** A `dependencies` section: entries grouped by category folder. */
function toDependenciesSection(requirements: readonly Requirement[]): Record<string, Record<string, unknown>[]> {
  const section: Record<string, Record<string, unknown>[]> = {};
  for (const r of requirements) {
    const entry: Record<string, unknown> = { filename: r.filename, urls: [...r.urls], required: r.required };
    if (r.sha256 !== undefined) entry.sha256 = r.sha256;
    if (r.size !== undefined) entry.size = r.size;
    if (r.displayName !== undefined) entry.display_name = r.displayName;
    if (r.requiresAuth !== undefined) entry.requires_auth = r.requiresAuth;
    const list = section[r.category] ?? [];
    section[r.category] = list;
    list.push(entry);
  }
  return section;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** cyrb53: a fast 53-bit string hash; a key, not a security measure. */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
