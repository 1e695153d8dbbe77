import { DepotError } from '../errors';
import { describeEntryIssues } from './describe-entry-issues';
import { dropBadUrls } from './drop-bad-urls';
import type { RequirementCollector } from './requirement-collector';
import { workflowSha256, workflowUrl, zDependencyEntry } from './workflow-schema';

/**
 * The `dependencies` section: `{ checkpoints: [entry...], loras: [...], <any folder>: [...] }`, or a flat
 * list of entries that each name their `category` (or `directory`). `path` is where the section sits
 * (`dependencies`, `workflow.dependencies`, `extra.dependencies`...). Null or absent: nothing to read.
 */
export function readDependencies(section: unknown, path: string, out: RequirementCollector): void {
  if (section === undefined || section === null) return;
  if (Array.isArray(section)) {
    section.forEach((entry, i) => {
      readEntry(entry, undefined, `${path}[${i}]`, out);
    });
    return;
  }
  if (typeof section !== 'object') {
    throw new DepotError(
      'BAD_INPUT',
      `${path} must be an object of model folders, like { "checkpoints": [{ "filename": "...", "sha256": "...", ` +
        `"urls": ["https://huggingface.co/..."] }] }; got ${typeof section}.`,
    );
  }
  // Object.keys on the parsed JSON: own keys only, so `__proto__` arrives as a plain (and rejected) folder name.
  for (const folder of Object.keys(section)) {
    const list: unknown = Reflect.get(section, folder);
    // `_comment`-style keys annotate the section (as `_comment` does in the config file); null is an empty folder.
    if (list === undefined || list === null || (folder.startsWith('_') && !Array.isArray(list))) continue;
    // A key that is not a plain name is quoted, so the path stays readable (`dependencies[".."][0]`).
    const listPath = /^[A-Za-z_$][\w$-]*$/.test(folder) ? `${path}.${folder}` : `${path}[${JSON.stringify(folder)}]`;
    if (!Array.isArray(list)) {
      out.reject(listPath, 'must be a list of model entries ({ filename, sha256, size, urls, ... })');
      continue;
    }
    list.forEach((entry, i) => {
      readEntry(entry, folder, `${listPath}[${i}]`, out);
    });
  }
}

function readEntry(entry: unknown, folder: string | undefined, path: string, out: RequirementCollector): void {
  let parsed = zDependencyEntry.safeParse(entry);
  if (!parsed.success) {
    out.reject(path, describeEntryIssues(parsed.error));
    const withoutUrls = dropBadUrls(entry, parsed.error);
    if (withoutUrls === undefined) return;
    parsed = zDependencyEntry.safeParse(withoutUrls);
    if (!parsed.success) return;
  }
  const e = parsed.data;
  const entryFolder = folder ?? e.category ?? e.directory;
  if (entryFolder === undefined || entryFolder === null) {
    out.reject(path, 'category is required in a flat dependencies list (e.g. "checkpoints")');
    return;
  }
  const urls = [...(e.urls ?? []), ...(e.url ? [e.url] : [])].map(workflowUrl);
  out.add(
    {
      folder: entryFolder,
      filename: e.filename,
      ...(e.sha256 != null && { sha256: workflowSha256(e.sha256) }),
      ...(e.size != null && { size: e.size }),
      urls,
      ...(e.display_name != null && { displayName: e.display_name }),
      required: e.required ?? true,
      ...(e.requires_auth != null && { requiresAuth: e.requires_auth }),
      origin: 'dependencies',
    },
    path,
  );
}
