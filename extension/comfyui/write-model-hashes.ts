import type { CheckResult } from '../../shared/check-result';
import { type ModelFacts, writeModelFacts } from '../../shared/workflow/write-model-facts';
import type { ComfyAppLike } from './comfy-app-types';

export interface WriteModelHashesOptions {
  app: ComfyAppLike;
  /** The sidecar's check of the open workflow: present and linkable items carry the SHA-256 of the bytes on disk. */
  result: CheckResult;
}

export interface WrittenModelHashes {
  /** `category/filename` of each model whose hash went into the workflow. */
  written: string[];
  /** Models on disk the check gave no SHA-256 for (`model-depot annotate` hashes them). */
  unhashed: string[];
  /** False when the frontend has no change tracker to tell: the workflow is changed but not marked modified. */
  markedModified: boolean;
}

type Json = Record<string, unknown>;

/**
 * Writes each present model's SHA-256 and known URL into the open workflow, as `model-depot annotate` does to a file:
 * `hash`/`hash_type: "SHA256"` into `properties.models` entries, `sha256` into `extra.dependencies`. It writes into
 * the live graph, since that is what ComfyUI saves, and then asks the frontend's change tracker to compare: the
 * workflow shows as modified and the user saves it with ComfyUI's own save. A model named only in a loader widget
 * gets an `extra.dependencies` entry: the top-level `models` list does not survive ComfyUI's next serialization.
 */
export function writeModelHashes({ app, result }: WriteModelHashesOptions): WrittenModelHashes {
  const facts: ModelFacts[] = [];
  const unhashed: string[] = [];
  for (const item of result.items) {
    if (item.status !== 'present' && item.status !== 'linkable') continue;
    const { category, filename, urls } = item.requirement;
    if (item.sha256 === undefined) {
      unhashed.push(item.targetPath);
      continue;
    }
    const url = urls[0] ?? item.url;
    facts.push({ category, filename, status: item.status, sha256: item.sha256, ...(url !== undefined && { url }) });
  }
  const graph = app.graph;
  const serialized = graph?.serialize?.();
  if (graph === undefined || !isObject(serialized) || facts.length === 0) {
    return { written: [], unhashed, markedModified: false };
  }
  const ownModels = Array.isArray(serialized.models) ? serialized.models.length : 0;
  const { workflow, places } = writeModelFacts(serialized, facts);
  if (!isObject(workflow)) return { written: [], unhashed, markedModified: false };

  const liveNodes = new Map<string, Json>();
  for (const node of graph.nodes ?? graph._nodes ?? []) {
    if (isObject(node) && (typeof node.id === 'number' || typeof node.id === 'string')) {
      liveNodes.set(String(node.id), node);
    }
  }
  for (const node of Array.isArray(workflow.nodes) ? workflow.nodes : []) {
    if (!isObject(node) || !isObject(node.properties) || !Array.isArray(node.properties.models)) continue;
    const live = liveNodes.get(String(node.id));
    if (live === undefined) continue;
    if (!isObject(live.properties)) live.properties = {};
    if (isObject(live.properties)) live.properties.models = node.properties.models;
  }

  const extra = isObject(workflow.extra) ? workflow.extra : {};
  const added = Array.isArray(workflow.models) ? workflow.models.slice(ownModels) : [];
  if (added.length > 0) extra.dependencies = withEntries(extra.dependencies, added);
  if (extra.dependencies !== undefined) {
    if (!isObject(graph.extra)) graph.extra = {};
    if (isObject(graph.extra)) graph.extra.dependencies = extra.dependencies;
  }

  graph.setDirtyCanvas?.(true, true);
  const tracker = app.extensionManager?.workflow?.activeWorkflow?.changeTracker;
  const capture = tracker?.captureCanvasState ?? tracker?.checkState;
  capture?.call(tracker);
  return { written: [...places.keys()], unhashed, markedModified: capture !== undefined };
}

/** A `dependencies` section (either form) with top-level `models` entries added under their folder. */
function withEntries(section: unknown, entries: unknown[]): unknown {
  const out = Array.isArray(section) || isObject(section) ? section : {};
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.directory !== 'string') continue;
    const written = {
      filename: entry.name,
      ...(typeof entry.url === 'string' && { urls: [entry.url] }),
      sha256: entry.hash,
    };
    // The list form names its folder in each entry.
    if (Array.isArray(out)) {
      out.push({ category: entry.directory, ...written });
      continue;
    }
    const list: unknown = out[entry.directory];
    if (Array.isArray(list)) list.push(written);
    else out[entry.directory] = [written];
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
