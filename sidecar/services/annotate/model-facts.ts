import path from 'node:path';
import type { CheckResult } from '../../../shared/check-result';
import type { ModelFacts } from '../../../shared/workflow/write-model-facts';
import type { ModelListing } from '../../registry/registry-schema';

export interface ModelFactsOptions {
  check: CheckResult;
  /** The registry's models (for their sources). */
  models: readonly ModelListing[];
  modelsRoot: string;
  /** The SHA-256 of a file under its wanted name that the check found but had no hash for. */
  hashPresent: (file: string) => Promise<string | undefined>;
}

/**
 * The SHA-256 and URL of each model the check found on disk: the hash the check vouches for (present: the file under
 * its name; linkable: the registry's copy), hashed here when the check had no need to; the URL the workflow gives,
 * else one the registry recorded among the model's sources. A model in conflict or not on disk gets no hash.
 */
export async function modelFacts(options: ModelFactsOptions): Promise<ModelFacts[]> {
  const sources = new Map(options.models.map((m) => [m.sha256, m.sources]));
  const facts: ModelFacts[] = [];
  for (const item of options.check.items) {
    const { category, filename, urls } = item.requirement;
    let sha256: string | undefined;
    if (item.status === 'linkable') sha256 = item.sha256;
    if (item.status === 'present') {
      sha256 = item.sha256 ?? (await options.hashPresent(path.join(options.modelsRoot, item.targetPath)));
    }
    const recorded = sha256 === undefined ? [] : (sources.get(sha256) ?? []);
    const url = urls[0] ?? item.url ?? recorded.find((s) => /^https?:\/\//i.test(s));
    facts.push({
      category,
      filename,
      status: item.status,
      ...(sha256 !== undefined && { sha256 }),
      ...(url !== undefined && { url }),
    });
  }
  return facts;
}
