import { isDepotError } from '../../../shared/errors';
import { defaultHashCacheFile, openHashCache } from '../../disk/hashing/hash-cache';
import { hashFile } from '../../disk/hashing/hash-file';
import type { DepotReader } from '../depot/open-depot';
import { type ModelFacts, writeModelFacts } from '../../../shared/workflow/write-model-facts';
import { modelFacts } from './model-facts';

export interface AnnotateWorkflowOptions {
  /** The workflow, parsed JSON. */
  workflow: unknown;
  /** The depot whose check finds the models on disk (read-only is enough). */
  depot: Pick<DepotReader, 'check' | 'list' | 'modelsRoot'>;
}

export interface AnnotatedModel extends ModelFacts {
  /** Where in the workflow the facts were written; empty when the model is not on disk (nothing to vouch for). */
  places: string[];
}

export interface AnnotateResult {
  /** The workflow with hashes and URLs added; everything else as it was. */
  workflow: unknown;
  models: AnnotatedModel[];
}

/**
 * `model-depot annotate`: makes a workflow carry its models. For each model it uses that is on this machine, its
 * SHA-256 (as the check vouches for it, the file hashed when nothing recorded it) and a URL (the workflow's own, else
 * the registry's) are written into the workflow, so another machine can fetch and verify exactly these bytes.
 */
export async function annotateWorkflow(options: AnnotateWorkflowOptions): Promise<AnnotateResult> {
  const { depot } = options;
  // No questions to the hosts: the hashes written are those of the bytes on this disk.
  const check = await depot.check(options.workflow, { remote: false });
  const hashCache = await openHashCache({ file: defaultHashCacheFile(depot.modelsRoot) });
  const facts = await modelFacts({
    check,
    models: depot.list(),
    modelsRoot: depot.modelsRoot,
    hashPresent: async (file) => {
      try {
        const hashed = await hashFile(file);
        hashCache.set(hashed.identity, hashed.sha256);
        return hashed.sha256;
      } catch (error) {
        // Changed or unreadable right now: that model is left without a hash rather than given a wrong one.
        if (isDepotError(error)) return undefined;
        throw error;
      }
    },
  });
  await hashCache.save();
  const written = writeModelFacts(options.workflow, facts);
  return {
    workflow: written.workflow,
    models: facts.map((f) => ({ ...f, places: written.places.get(`${f.category}/${f.filename}`) ?? [] })),
  };
}
