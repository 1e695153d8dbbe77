import { canonicalCategory } from '../canonical-category';
import { DepotError } from '../errors';
import { describeEntryIssues } from './describe-entry-issues';
import { readApiPrompt } from './read-api-prompt';
import { readDependencies } from './read-dependencies';
import { readModelFiles } from './read-model-files';
import { readWorkflowNodes } from './read-workflow-nodes';
import { RequirementCollector } from './requirement-collector';
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

const WHAT_A_WORKFLOW_IS =
  'Expected a ComfyUI workflow JSON object (with "nodes", "models" or a "dependencies" section), ' +
  'or { "workflow": <workflow> }, or { "dependencies": { "checkpoints": [{ "filename": "...", "sha256": "...", ' +
  '"urls": ["https://huggingface.co/..."] }] } }.';

/**
 * The models a workflow needs, from its three sources: the `dependencies` section (top level,
 * under `workflow`, under `extra`), ComfyUI's `models` (top level and every node's `properties.models`, subgraphs
 * included) and loader widget values. Mentions of the same category + file name are merged into one requirement.
 *
 * Accepts a workflow object, `{ workflow, dependencies? }`, or the same as a JSON string. Pure: the browser
 * extension runs it too. Throws `DepotError('BAD_INPUT')` when the input is not a workflow at all (not JSON, not an
 * object, containers of the wrong type, absurd sizes); a bad entry inside a good workflow is reported in `invalid`.
 */
export function extractRequirements(workflowJson: unknown): ExtractedRequirements {
  const root = asObject(workflowJson, 'The input');
  const layers: { skeleton: WorkflowSkeleton; source: object; prefix: string }[] = [
    { skeleton: skeletonOf(root, ''), source: root, prefix: '' },
  ];
  const wrapped: unknown = Object.hasOwn(root, 'workflow') ? Reflect.get(root, 'workflow') : undefined;
  if (wrapped !== undefined && wrapped !== null) {
    const inner = asObject(wrapped, 'workflow');
    layers.push({ skeleton: skeletonOf(inner, 'workflow.'), source: inner, prefix: 'workflow.' });
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
  for (const { skeleton, prefix } of layers) {
    readModelFiles(skeleton.models, `${prefix}models`, out, {
      resolveName: (name, directory) => picked.get(`${canonicalCategory(directory)}\u0000${name.trim()}`) ?? name,
    });
    isWorkflow ||= Array.isArray(skeleton.models);
  }
  for (const layer of layers) isWorkflow = readNodes(layer, out) || isWorkflow;
  if (!isWorkflow) {
    throw new DepotError('BAD_INPUT', `Not a workflow: it has no nodes, models or dependencies. ${WHAT_A_WORKFLOW_IS}`);
  }
  return out.result();
}

/** Reads a layer's nodes (UI format) or prompt (API format); says whether it had either. */
function readNodes(layer: { skeleton: WorkflowSkeleton; source: object; prefix: string }, out: RequirementCollector) {
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
function subfolderPicks(layers: { skeleton: WorkflowSkeleton; source: object; prefix: string }[]): Map<string, string> {
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
