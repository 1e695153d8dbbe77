import { describeEntryIssues } from './describe-entry-issues';
import type { RequirementCollector } from './requirement-collector';
import { zModelFile, zWorkflowSha256 } from './workflow-schema';

export interface ReadModelFilesOptions {
  /**
   * The file names a node has selected in its widgets. When given, entries naming other files are skipped:
   * ComfyUI keeps `properties.models` when the user picks another model, and that stale entry is not needed
   * (the frontend's getSelectedModelsMetadata does the same). Default: every entry counts.
   */
  selectedNames?: ReadonlySet<string>;
}

/**
 * ComfyUI's `models: [{ name, url, hash?, hash_type?, directory }]`, at the top level or in a node's
 * `properties.models`. `path` is the list's place in the workflow. A hash counts as the SHA-256 only when
 * `hash_type` says sha256: other 64-digit hashes (BLAKE3) exist, and a wrong expectation would fail a good download.
 */
export function readModelFiles(
  list: unknown,
  path: string,
  out: RequirementCollector,
  options: ReadModelFilesOptions = {},
): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    out.reject(path, 'must be a list of model files ({ name, url, directory })');
    return;
  }
  list.forEach((entry, i) => {
    const entryPath = `${path}[${i}]`;
    const parsed = zModelFile.safeParse(entry);
    if (!parsed.success) {
      if (!isUnselected(entry, options.selectedNames)) out.reject(entryPath, describeEntryIssues(parsed.error));
      return;
    }
    const model = parsed.data;
    if (isUnselected(model, options.selectedNames)) return;
    let sha256: string | undefined;
    if (model.hash != null && model.hash_type?.trim().toLowerCase() === 'sha256') {
      const hash = zWorkflowSha256.safeParse(model.hash);
      if (!hash.success) {
        out.reject(entryPath, `hash ${hash.error.issues[0]?.message ?? 'is not a SHA-256'}`);
        return;
      }
      sha256 = hash.data;
    }
    out.add(
      {
        folder: model.directory,
        filename: model.name,
        ...(sha256 !== undefined && { sha256 }),
        urls: model.url != null ? [model.url] : [],
        required: true,
        origin: 'models',
      },
      entryPath,
    );
  });
}

function isUnselected(entry: unknown, selectedNames: ReadonlySet<string> | undefined): boolean {
  if (selectedNames === undefined || typeof entry !== 'object' || entry === null) return false;
  const name: unknown = Reflect.get(entry, 'name');
  return typeof name === 'string' && !selectedNames.has(name.trim().replaceAll('\\', '/'));
}
