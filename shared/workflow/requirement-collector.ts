import { DepotError } from '../errors';
import type { InvalidEntry, Requirement } from '../requirement';
import { mergeRequirements } from './merge-requirements';
import { modelFolderPath } from '../model-folder-path';
import { modelNameProblem } from '../model-name-problem';

/**
 * More model mentions than any real workflow has. Past it the input is junk (or an attack on the check's time),
 * and it is refused whole with `BAD_INPUT`, like the install message's cap of 1000 items.
 */
export const MAX_MODEL_ENTRIES = 1000;

/** A mention of a model before its names are checked and it is merged with the others. */
export interface RequirementMention {
  folder: string;
  filename: string;
  sha256?: string;
  size?: number;
  urls: string[];
  displayName?: string;
  required: boolean;
  requiresAuth?: boolean;
  origin: Requirement['origin'];
}

/**
 * Gathers the mentions of one workflow: checks folder and file names, merges mentions of the same category +
 * file name (first seen keeps its place in the list), and keeps the entries that could not be used, each with
 * where it is in the workflow.
 */
export class RequirementCollector {
  private readonly byKey = new Map<string, Requirement>();
  /** Files that only a node type we do not know names: reported apart, and only when nothing else names them. */
  private readonly possible = new Map<string, Requirement>();
  private readonly invalid: InvalidEntry[] = [];
  private entries = 0;

  /** Records a mention found at `path` (e.g. `nodes[3].properties.models[0]`). */
  add(mention: RequirementMention, path: string): void {
    this.put(this.byKey, mention, path);
  }

  /** Records a file that may be needed: a model-like widget value of a node type we cannot read for sure. */
  addPossible(mention: RequirementMention, path: string): void {
    this.put(this.possible, mention, path);
  }

  private put(byKey: Map<string, Requirement>, mention: RequirementMention, path: string): void {
    this.count();
    // ComfyUI on Windows lists subfolders with backslashes; one separator keeps names comparable everywhere.
    const folder = modelFolderPath(mention.folder.trim().replaceAll('\\', '/'));
    if ('problem' in folder) {
      this.invalid.push({ path, message: `folder "${clip(mention.folder)}" is not a model folder name` });
      return;
    }
    // A folder with subfolders (`controlnet/SDXL`) is its top folder plus a longer name, so that a widget value
    // picked in that subfolder (`SDXL/x.safetensors` in controlnet) is the same requirement.
    const { category } = folder;
    const filename = [...folder.subfolders, mention.filename.trim().replaceAll('\\', '/')].join('/');
    const problem = modelNameProblem(filename);
    if (problem !== undefined) {
      this.invalid.push({ path, message: `file name "${clip(filename)}" ${problem}` });
      return;
    }
    const requirement: Requirement = {
      category,
      filename,
      ...(mention.sha256 !== undefined && { sha256: mention.sha256 }),
      ...(mention.size !== undefined && { size: mention.size }),
      urls: [...new Set(mention.urls)],
      ...(mention.displayName !== undefined && { displayName: mention.displayName }),
      required: mention.required,
      ...(mention.requiresAuth !== undefined && { requiresAuth: mention.requiresAuth }),
      origin: mention.origin,
    };
    const key = `${category}\u0000${filename}`;
    const kept = byKey.get(key);
    if (kept === undefined) {
      byKey.set(key, requirement);
      return;
    }
    const merged = mergeRequirements(kept, requirement);
    byKey.set(key, merged.requirement);
    if (merged.hashConflict) {
      this.invalid.push({
        path,
        message:
          `${category}/${filename} has SHA-256 ${merged.hashConflict.dropped.slice(0, 12)}… here but ` +
          `${merged.hashConflict.kept.slice(0, 12)}… earlier in the workflow; the earlier one is used`,
      });
    }
  }

  /** Records an entry that could not be understood. */
  reject(path: string, message: string): void {
    this.count();
    this.invalid.push({ path, message });
  }

  /**
   * The requirements, the possibly needed files (those no requirement names, whatever its folder: a primitive
   * node feeding a loader holds the loader's value too) and the entries that could not be used.
   */
  result(): { requirements: Requirement[]; possiblyNeeded: Requirement[]; invalid: InvalidEntry[] } {
    const requirements = [...this.byKey.values()];
    const named = new Set(requirements.map((r) => r.filename));
    const possiblyNeeded = [...this.possible.values()].filter((r) => !named.has(r.filename));
    return { requirements, possiblyNeeded, invalid: [...this.invalid] };
  }

  private count(): void {
    this.entries += 1;
    if (this.entries > MAX_MODEL_ENTRIES) {
      throw new DepotError(
        'BAD_INPUT',
        `The workflow names more than ${MAX_MODEL_ENTRIES} models; no real workflow does, so it was refused. ` +
          'Check that the file is a ComfyUI workflow.',
      );
    }
  }
}

/** Names are echoed into messages: keep them short and printable. */
function clip(text: string): string {
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 77)}...` : printable;
}

/**
 * Passes mentions on to another collector as not required (models of muted or bypassed nodes, for `check --all`);
 * a mention elsewhere that is required keeps the merged requirement required. Unreadable entries of nodes that do
 * not run are left out: they stop nothing.
 */
export class OptionalCollector extends RequirementCollector {
  constructor(private readonly target: RequirementCollector) {
    super();
  }

  override add(mention: RequirementMention, path: string): void {
    this.target.add({ ...mention, required: false }, path);
  }

  override addPossible(mention: RequirementMention, path: string): void {
    this.target.addPossible({ ...mention, required: false }, path);
  }

  override reject(): void {}
}
