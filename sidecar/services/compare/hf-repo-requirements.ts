import { canonicalFolder, hasModelExtension } from '../../../shared/model-folders';
import type { HfRepoType } from '../../remote/hub/hub-schemas';
import type { RequirementInput } from '../../../shared/requirement';
import type { HubFetch } from '../../remote/hub/hub-fetch';
import { hfListTree } from '../../remote/hub/hf-list-tree';
import { hfResolveUrl } from '../../remote/hub/hub-url';

export interface HfRepoRequirementsOptions {
  repoId: string;
  /** Default 'model'. */
  repoType?: HfRepoType;
  /** Default 'main'. */
  revision?: string;
  /** Where to list (HF_ENDPOINT); default https://huggingface.co. The requirements keep the real host. */
  hubUrl?: string;
  /** For private and gated repositories; used for the listing only. */
  token?: string;
  /** The folder for files whose path names none (`vae/`, `loras/`...); default 'checkpoints'. */
  defaultCategory?: string;
  /** Replaces the agent's requests (tests). Default requestBounded through an agent of its own. */
  fetch?: HubFetch;
}

/**
 * Every model file of a HuggingFace repository as a requirement, for the terminal UI opened on a repository rather
 * than a workflow: the category comes from a folder name in its path (`split_files/vae/ae.safetensors` -> vae), the
 * SHA-256 and size from the tree listing, so files already on disk under any name are linked instead of downloaded.
 */
export async function hfRepoRequirements(options: HfRepoRequirementsOptions): Promise<RequirementInput[]> {
  const requirements: RequirementInput[] = [];
  for await (const entry of hfListTree({ ...options, recursive: true })) {
    if (entry.type !== 'file' || !hasModelExtension(entry.path)) continue;
    const segments = entry.path.split('/');
    const filename = segments.at(-1) ?? entry.path;
    const category = segments
      .slice(0, -1)
      .map(canonicalFolder)
      .find((folder) => folder !== undefined);
    requirements.push({
      category: category ?? options.defaultCategory ?? 'checkpoints',
      filename,
      sha256: entry.lfs?.oid,
      size: entry.lfs?.size ?? entry.size,
      urls: [
        hfResolveUrl({
          repoId: options.repoId,
          repoType: options.repoType,
          revision: options.revision,
          path: entry.path,
        }),
      ],
      displayName: entry.path,
      origin: 'dependencies',
    });
  }
  return requirements;
}
