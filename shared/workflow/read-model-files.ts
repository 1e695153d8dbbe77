import { describeEntryIssues } from './describe-entry-issues';
import { dropBadUrls } from './drop-bad-urls';
import type { RequirementCollector } from './requirement-collector';
import { workflowUrl, zModelFile, zWorkflowSha256 } from './workflow-schema';

export interface ReadModelFilesOptions {
  /**
   * The file an entry stands for, given its name and directory, or undefined when the entry is not needed. A node
   * passes the files selected in its widgets: ComfyUI keeps `properties.models` when the user picks another model,
   * and that stale entry is not needed (the frontend's getSelectedModelsMetadata does the same), while an entry
   * naming the base name of a file picked in a subfolder means that file, so its URL is kept. Default: every entry
   * counts, under its own name.
   */
  resolveName?: (name: string, directory: string) => string | undefined;
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
    let parsed = zModelFile.safeParse(entry);
    if (!parsed.success) {
      if (isUnneeded(entry, options.resolveName)) return;
      out.reject(entryPath, describeEntryIssues(parsed.error));
      const withoutUrl = dropBadUrls(entry, parsed.error);
      if (withoutUrl === undefined) return;
      parsed = zModelFile.safeParse(withoutUrl);
      if (!parsed.success) return;
    }
    const model = parsed.data;
    const filename = options.resolveName ? options.resolveName(model.name, model.directory) : model.name;
    if (filename === undefined) return;
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
        filename,
        ...(sha256 !== undefined && { sha256 }),
        urls: model.url != null ? [workflowUrl(model.url)] : [],
        required: true,
        origin: 'models',
      },
      entryPath,
    );
  });
}

/** An entry that fails to parse is still skipped, rather than reported, when its name says it is not needed. */
function isUnneeded(entry: unknown, resolveName: ReadModelFilesOptions['resolveName']): boolean {
  if (resolveName === undefined || typeof entry !== 'object' || entry === null) return false;
  const name: unknown = Reflect.get(entry, 'name');
  const directory: unknown = Reflect.get(entry, 'directory');
  return typeof name === 'string' && resolveName(name, typeof directory === 'string' ? directory : '') === undefined;
}
