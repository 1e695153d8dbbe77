import { DepotError } from '../errors';
import { describeEntryIssues } from './describe-entry-issues';
import { folderOfWidgetName, isNoteNode, loaderWidgets } from './loader-widgets';
import { hasModelExtension } from '../model-folders';
import { readModelFiles } from './read-model-files';
import type { RequirementCollector } from './requirement-collector';
import { zSubgraphDefinition, zWorkflowNode, type WorkflowNode } from './workflow-schema';

/** Nodes in one workflow, subgraphs included. Real graphs have hundreds; this bounds the work on junk. */
const MAX_NODES = 20_000;
/** Subgraphs nested deeper than this are junk (or a cycle built to exhaust the stack). */
const MAX_SUBGRAPH_DEPTH = 16;

/** ComfyUI's node modes: 2 = never (muted), 4 = bypass. Their models are not needed to run the workflow. */
const isInactive = (mode: number | null | undefined): boolean => mode === 2 || mode === 4;

interface Graph {
  nodes: readonly unknown[];
  /** Where the graph's `nodes` list sits: `nodes`, `definitions.subgraphs[0].nodes`... */
  path: string;
}

export interface ReadWorkflowNodesOptions {
  /**
   * Which nodes to read: `active` (the default) skips muted and bypassed nodes and the subgraphs reached only
   * through them; `inactive` reads only those, which is what `check --all` adds as optional.
   */
  nodes?: 'active' | 'inactive';
}

/**
 * Reads the models named by a workflow's nodes: each active node's `properties.models` and its loader widget
 * values, through subgraphs (`definitions.subgraphs[]`, nested ones too). A subgraph counts when an active node
 * uses it, or when no node uses it at all (a definition we cannot place is kept rather than silently dropped);
 * one reached only through muted or bypassed nodes does not.
 */
export function readWorkflowNodes(
  workflow: { nodes?: readonly unknown[] | null; definitions?: { subgraphs?: readonly unknown[] | null } | null },
  prefix: string,
  out: RequirementCollector,
  options: ReadWorkflowNodesOptions = {},
): void {
  const wantInactive = options.nodes === 'inactive';
  const budget = { nodes: 0 };
  const subgraphs = new Map<string, Graph>();
  collectSubgraphs(workflow.definitions?.subgraphs, `${prefix}definitions.subgraphs`, 0, subgraphs, out);

  const used = new Set<string>();
  for (const graph of [{ nodes: workflow.nodes ?? [], path: `${prefix}nodes` }, ...subgraphs.values()]) {
    for (const node of graph.nodes) {
      const type: unknown = typeof node === 'object' && node !== null ? Reflect.get(node, 'type') : undefined;
      if (typeof type === 'string' && subgraphs.has(type)) used.add(type);
    }
  }

  const visited = new Set<string>();
  const walk = (graph: Graph, depth: number, insideInactive: boolean): void => {
    graph.nodes.forEach((raw, i) => {
      budget.nodes += 1;
      if (budget.nodes > MAX_NODES) {
        throw new DepotError('BAD_INPUT', `The workflow has more than ${MAX_NODES} nodes; it was refused as junk.`);
      }
      const nodePath = `${graph.path}[${i}]`;
      const parsed = zWorkflowNode.safeParse(raw);
      if (!parsed.success) {
        out.reject(nodePath, describeEntryIssues(parsed.error));
        return;
      }
      const node = parsed.data;
      const inactive = insideInactive || isInactive(node.mode);
      if (inactive && !wantInactive) return;
      if (inactive === wantInactive) readNode(node, nodePath, out);
      const inner = subgraphs.get(node.type);
      if (inner !== undefined && !visited.has(node.type) && depth < MAX_SUBGRAPH_DEPTH) {
        visited.add(node.type);
        walk(inner, depth + 1, inactive);
      }
    });
  };
  walk({ nodes: workflow.nodes ?? [], path: `${prefix}nodes` }, 0, false);
  for (const [id, graph] of subgraphs) {
    if (!used.has(id) && !visited.has(id)) {
      visited.add(id);
      walk(graph, 1, false);
    }
  }
}

function collectSubgraphs(
  list: readonly unknown[] | null | undefined,
  path: string,
  depth: number,
  into: Map<string, Graph>,
  out: RequirementCollector,
): void {
  if (list == null || depth >= MAX_SUBGRAPH_DEPTH) return;
  list.forEach((raw, i) => {
    const defPath = `${path}[${i}]`;
    const parsed = zSubgraphDefinition.safeParse(raw);
    if (!parsed.success) {
      out.reject(defPath, describeEntryIssues(parsed.error));
      return;
    }
    const def = parsed.data;
    if (!into.has(def.id)) into.set(def.id, { nodes: def.nodes ?? [], path: `${defPath}.nodes` });
    collectSubgraphs(def.definitions?.subgraphs, `${defPath}.definitions.subgraphs`, depth + 1, into, out);
  });
}

function readNode(node: WorkflowNode, path: string, out: RequirementCollector): void {
  const values = widgetValues(node.widgets_values);
  const selected = selectedFiles(values.list);
  readModelFiles(node.properties?.models, `${path}.properties.models`, out, {
    // A node without string widget values selects nothing we can compare: keep all its entries.
    ...(selected.size > 0 && { resolveName: (name: string) => selected.get(fileNameOf(name)) }),
  });
  if (node.type !== '') readLoaderWidgets(node.type, values, `${path}.widgets_values`, out);
}

/** ComfyUI on Windows lists subfolders with backslashes; one separator keeps names comparable. */
const fileNameOf = (value: string): string => value.trim().replaceAll('\\', '/');

/**
 * The files a node's string widgets select, by the name a `properties.models` entry would give: the value itself,
 * or its base name when the file was picked in a subfolder (the entry names `x.safetensors`, the widget holds
 * `WAN2.2/x.safetensors`). An exact value wins over a base name.
 */
function selectedFiles(list: readonly unknown[]): Map<string, string> {
  const values = list.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map(fileNameOf);
  const selected = new Map(values.map((value) => [value, value]));
  for (const value of values) {
    const base = value.slice(value.lastIndexOf('/') + 1);
    if (!selected.has(base)) selected.set(base, value);
  }
  return selected;
}

/** A node's widget values: a list (UI format) or keyed by widget name (some nodes, and the API format). */
export interface WidgetValues {
  list: readonly unknown[];
  byName?: ReadonlyMap<string, unknown>;
}

/** A Map rather than an object, so that a `__proto__` key stays a key. */
export function widgetValues(raw: unknown): WidgetValues {
  if (Array.isArray(raw)) return { list: raw };
  if (typeof raw === 'object' && raw !== null) {
    const byName = new Map<string, unknown>(Object.keys(raw).map((key) => [key, Reflect.get(raw, key)]));
    return { list: [...byName.values()], byName };
  }
  return { list: [] };
}

/**
 * The files a loader node has selected. Also used for the API format, whose `inputs` are keyed by name.
 * Values without a model extension are not files (`None`, `taesd`, `pixel_space`). A node type the loader table
 * does not know still has its model-like values reported, as possibly needed: its folder is a guess at best.
 */
export function readLoaderWidgets(
  nodeType: string,
  values: WidgetValues,
  path: string,
  out: RequirementCollector,
): void {
  const known = loaderWidgets(nodeType);
  if (known !== undefined) {
    for (const widget of known) {
      const value = values.byName ? values.byName.get(widget.name) : values.list[widget.index];
      const at = values.byName ? `.${widget.name}` : `[${widget.index}]`;
      if (isModelFileValue(value)) {
        out.add({ folder: widget.folder, filename: value, urls: [], required: true, origin: 'widget' }, `${path}${at}`);
      }
    }
    return;
  }
  if (isNoteNode(nodeType)) return;
  const entries: [string, unknown][] = values.byName
    ? [...values.byName].map(([name, value]) => [`.${name}`, value])
    : values.list.map((value, i) => [`[${i}]`, value]);
  for (const [at, value] of entries) {
    if (!isModelFileValue(value)) continue;
    const folder = values.byName ? folderOfWidgetName(at.slice(1)) : undefined;
    if (folder !== undefined) {
      out.add({ folder, filename: value, urls: [], required: true, origin: 'widget' }, `${path}${at}`);
    } else {
      out.addPossible(
        { folder: UNKNOWN_FOLDER, filename: value, urls: [], required: false, origin: 'widget' },
        `${path}${at}`,
      );
    }
  }
}

/** The category of a possibly needed file from a node type the table does not describe: none of ComfyUI's folders. */
const UNKNOWN_FOLDER = 'unknown';

function isModelFileValue(value: unknown): value is string {
  return typeof value === 'string' && hasModelExtension(value.trim());
}
