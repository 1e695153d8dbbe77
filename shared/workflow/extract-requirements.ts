import { modelFolderPath } from '../model-folder-path';
import { DepotError } from '../errors';
import { describeEntryIssues } from './describe-entry-issues';
import { readApiPrompt } from './read-api-prompt';
import { readDependencies } from './read-dependencies';
import { readModelFiles } from './read-model-files';
import { readWorkflowNodes } from './read-workflow-nodes';
import { OptionalCollector, RequirementCollector } from './requirement-collector';
import type { InvalidEntry, Requirement } from '../requirement';
import { zWorkflowSkeleton, type WorkflowSkeleton } from './workflow-schema';

export interface ExtractedRequirements {
  /** One per category + file name, in the order first met (dependencies, then models, then nodes). */
  requirements: Requirement[];
  /**
   * Model-like widget values of node types the loader table does not know, which no requirement names: reported
   * rather than dropped, each with `required: false` and the category `unknown` (the node's folder is not known).
   */
  possiblyNeeded: Requirement[];
  /** Entries that could not be used, each with its place in the workflow; the valid ones are still listed. */
  invalid: InvalidEntry[];
}

/** JSON text longer than this is not a workflow (a big real one, with embedded previews, is a few MB). */
const MAX_JSON_CHARS = 64 * 1024 * 1024;

export interface ExtractRequirementsOptions {
  /**
   * Also list the models of muted and bypassed nodes (and top-level `models` entries only they use), each with
   * `required: false`, as `check --all` shows them. Default false: they are not needed to run the workflow.
   */
  includeInactive?: boolean;
}

type Layer = { skeleton: WorkflowSkeleton; source: object; prefix: string };

const WHAT_A_WORKFLOW_IS =
  'Expected a ComfyUI workflow JSON object (with "nodes", "models" or a "dependencies" section), ' +
  'or { "workflow": <workflow> }, or { "dependencies": { "checkpoints": [{ "filename": "...", "sha256": "...", ' +
  '"urls": ["https://huggingface.co/..."] }] } }.';

/**
 * The models a workflow needs, from its three sources: the `dependencies` section (top level,
 * under `workflow`, under `extra`), ComfyUI's `models` (top level and every node's `properties.models`, subgraphs
 * included) and loader widget values. Mentions of the same category + file name are merged into one requirement.
 *
 * Accepts a workflow object, `{ workflow, dependencies? }`, ComfyUI's `/prompt` body `{ prompt: <API format> }`, or
 * the same as a JSON string. Pure: the browser extension runs it too. Throws `DepotError('BAD_INPUT')` when the input is not a workflow at all (not JSON, not an
 * object, containers of the wrong type, absurd sizes); a bad entry inside a good workflow is reported in `invalid`.
 */
export function extractRequirements(
  workflowJson: unknown,
  options: ExtractRequirementsOptions = {},
): ExtractedRequirements {
  const root = asObject(workflowJson, 'The input');
  const layers: Layer[] = [{ skeleton: skeletonOf(root, ''), source: root, prefix: '' }];
  const wrapped: unknown = Object.hasOwn(root, 'workflow') ? Reflect.get(root, 'workflow') : undefined;
  if (wrapped !== undefined && wrapped !== null) {
    const inner = asObject(wrapped, 'workflow');
    layers.push({ skeleton: skeletonOf(inner, 'workflow.'), source: inner, prefix: 'workflow.' });
  }
  // What ComfyUI's /prompt receives: the API format under `prompt`.
  const prompt: unknown = Object.hasOwn(root, 'prompt') ? Reflect.get(root, 'prompt') : undefined;
  if (typeof prompt === 'object' && prompt !== null && !Array.isArray(prompt)) {
    layers.push({ skeleton: {}, source: prompt, prefix: 'prompt.' });
  }

  const out = new RequirementCollector();
  let isWorkflow = wrapped !== undefined && wrapped !== null;
  // Richest source first, so that merged requirements keep its facts and its place in the list.
  for (const { skeleton, prefix } of layers) {
    readDependencies(skeleton.dependencies, `${prefix}dependencies`, out);
    readDependencies(skeleton.extra?.dependencies, `${prefix}extra.dependencies`, out);
    isWorkflow ||= skeleton.dependencies != null || skeleton.extra?.dependencies != null;
  }
  const picked = subfolderPicks(layers);
  const inactive = inactiveOnly(layers);
  for (const { skeleton, prefix } of layers) {
    const list = `${prefix}models`;
    const name = (model: string, directory: string) => picked.get(keyOf(directory, model)) ?? model;
    // A top-level entry that only muted or bypassed nodes pick is treated as those nodes' own entries are.
    const onlyInactive = (model: string, directory: string) => inactive.has(keyOf(directory, name(model, directory)));
    readModelFiles(skeleton.models, list, out, {
      resolveName: (model, directory) => (onlyInactive(model, directory) ? undefined : name(model, directory)),
    });
    if (options.includeInactive) {
      readModelFiles(skeleton.models, list, optional(out), {
        resolveName: (model, directory) => (onlyInactive(model, directory) ? name(model, directory) : undefined),
      });
    }
    isWorkflow ||= Array.isArray(skeleton.models);
  }
  for (const layer of layers) isWorkflow = readNodes(layer, out) || isWorkflow;
  if (options.includeInactive) {
    for (const { skeleton, prefix } of layers) {
      if (Array.isArray(skeleton.nodes)) readWorkflowNodes(skeleton, prefix, optional(out), { nodes: 'inactive' });
    }
  }
  if (!isWorkflow) {
    throw new DepotError('BAD_INPUT', `Not a workflow: it has no nodes, models or dependencies. ${WHAT_A_WORKFLOW_IS}`);
  }
  return out.result();
}

/** Reads a layer's nodes (UI format) or prompt (API format); says whether it had either. */
function readNodes(layer: Layer, out: RequirementCollector) {
  const { skeleton, source, prefix } = layer;
  if (Array.isArray(skeleton.nodes) || skeleton.definitions != null) {
    readWorkflowNodes(skeleton, prefix, out);
    return true;
  }
  return readApiPrompt(source, prefix, out);
}

/**
 * The files the nodes pick inside a subfolder, keyed by category and base name: a top-level `models` entry names
 * only the base name (`flux1-dev.safetensors` for the picked `flux/flux1-dev.safetensors`), and its URL belongs to
 * the picked file. A base name the nodes also pick as such keeps its own entry.
 */
function subfolderPicks(layers: Layer[]): Map<string, string> {
  const scratch = new RequirementCollector();
  for (const layer of layers) readNodes(layer, scratch);
  const { requirements } = scratch.result();
  const exact = new Set(requirements.map((r) => `${r.category}\u0000${r.filename}`));
  const picks = new Map<string, string>();
  for (const { category, filename } of requirements) {
    const key = `${category}\u0000${filename.slice(filename.lastIndexOf('/') + 1)}`;
    if (filename.includes('/') && !exact.has(key) && !picks.has(key)) picks.set(key, filename);
  }
  return picks;
}

/**
 * The files only muted or bypassed nodes pick (by category + name, and by base name for a pick in a subfolder),
 * none of the active nodes.
 */
function inactiveOnly(layers: Layer[]): Set<string> {
  const active = new RequirementCollector();
  const inactive = new RequirementCollector();
  for (const layer of layers) {
    readNodes(layer, active);
    if (Array.isArray(layer.skeleton.nodes)) {
      readWorkflowNodes(layer.skeleton, layer.prefix, inactive, { nodes: 'inactive' });
    }
  }
  const keys = (collector: RequirementCollector): Set<string> =>
    new Set(
      collector
        .result()
        .requirements.flatMap(({ category, filename }) => [
          `${category}\u0000${filename}`,
          `${category}\u0000${filename.slice(filename.lastIndexOf('/') + 1)}`,
        ]),
    );
  const used = keys(active);
  return new Set([...keys(inactive)].filter((key) => !used.has(key)));
}

/** The category + file name a `models` entry stands for, as the collector will key it. */
function keyOf(directory: string, name: string): string {
  const folder = modelFolderPath(directory.trim().replaceAll('\\', '/'));
  if ('problem' in folder) return `\u0000${name}`;
  return `${folder.category}\u0000${[...folder.subfolders, name.trim().replaceAll('\\', '/')].join('/')}`;
}

/** A view of the collector whose mentions are optional: models of nodes that do not run. */
function optional(out: RequirementCollector): RequirementCollector {
  return new OptionalCollector(out);
}

/** A JSON object, parsing it first when it arrives as text. */
function asObject(value: unknown, what: string): object {
  let parsed = value;
  if (typeof value === 'string') {
    if (value.length > MAX_JSON_CHARS) {
      throw new DepotError('BAD_INPUT', `${what} is ${value.length} characters long; a workflow is far smaller.`);
    }
    try {
      parsed = JSON.parse(value);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message.slice(0, 200) : 'syntax error';
      throw new DepotError('BAD_INPUT', `${what} is not valid JSON (${detail}). ${WHAT_A_WORKFLOW_IS}`, { cause });
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DepotError(
      'BAD_INPUT',
      `${what} is ${describeType(parsed)}, not a workflow object. ${WHAT_A_WORKFLOW_IS}`,
    );
  }
  return parsed;
}

function skeletonOf(value: object, prefix: string): WorkflowSkeleton {
  const parsed = zWorkflowSkeleton.safeParse(value);
  if (!parsed.success) {
    const issues = describeEntryIssues(parsed.error).replace(/(^|; )/g, `$1${prefix}`);
    throw new DepotError('BAD_INPUT', `Not a workflow: ${issues}. ${WHAT_A_WORKFLOW_IS}`);
  }
  return parsed.data;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
