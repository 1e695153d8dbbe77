import { DepotError } from '../errors';
import { describeEntryIssues } from './describe-entry-issues';
import { folderOfWidgetName, loaderWidgets } from './loader-widgets';
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
): void {
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
  const walk = (graph: Graph, depth: number): void => {
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
      if (isInactive(node.mode)) return;
      readNode(node, nodePath, out);
      const inner = subgraphs.get(node.type);
      if (inner !== undefined && !visited.has(node.type) && depth < MAX_SUBGRAPH_DEPTH) {
        visited.add(node.type);
        walk(inner, depth + 1);
      }
    });
  };
  walk({ nodes: workflow.nodes ?? [], path: `${prefix}nodes` }, 0);
  for (const [id, graph] of subgraphs) {
    if (!used.has(id) && !visited.has(id)) {
      visited.add(id);
      walk(graph, 1);
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
  const selected = new Set<string>();
  for (const value of values.list) {
    if (typeof value === 'string' && value.trim() !== '') selected.add(value.trim().replaceAll('\\', '/'));
  }
  readModelFiles(node.properties?.models, `${path}.properties.models`, out, {
    // A node without string widget values selects nothing we can compare: keep all its entries.
    ...(selected.size > 0 && { selectedNames: selected }),
  });
  if (node.type !== '') readLoaderWidgets(node.type, values, `${path}.widgets_values`, out);
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
 * Values without a model extension are not files (`None`, `taesd`, `pixel_space`).
 */
export function readLoaderWidgets(
  nodeType: string,
  values: WidgetValues,
  path: string,
  out: RequirementCollector,
): void {
  const known = loaderWidgets(nodeType);
  const picks: { value: unknown; folder: string; at: string }[] = [];
  if (known !== undefined) {
    for (const widget of known) {
      const value = values.byName ? values.byName.get(widget.name) : values.list[widget.index];
      picks.push({ value, folder: widget.folder, at: values.byName ? `.${widget.name}` : `[${widget.index}]` });
    }
  } else if (values.byName) {
    for (const [name, value] of values.byName) {
      const folder = folderOfWidgetName(name);
      if (folder !== undefined) picks.push({ value, folder, at: `.${name}` });
    }
  }
  for (const { value, folder, at } of picks) {
    if (typeof value !== 'string' || !hasModelExtension(value.trim())) continue;
    out.add({ folder, filename: value, urls: [], required: true, origin: 'widget' }, `${path}${at}`);
  }
}
