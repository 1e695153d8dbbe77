/**
 * model-depot as a library: the depot the `model-depot` command uses, opened on a models root.
 *
 * ```ts
 * import { openDepot } from 'model-depot';
 * const depot = await openDepot({ modelsRoot: '/data/ComfyUI/models', readOnly: true });
 * console.log(depot.stats(), await depot.check(workflowJson));
 * await depot.close();
 * ```
 */
export type { CheckResult } from '../../shared/check-result';
export { DepotError, isDepotError } from '../../shared/errors';
export type { Job, JobState } from '../../shared/job';
export type { RequirementInput } from '../../shared/requirement';
export type { ModelListing, RegistryStats } from '../services/depot/depot-types';
export type { InstallWithProgressOptions } from './install-with-progress';
export {
  openDepot,
  type DepotApi,
  type DepotReaderApi,
  type InstallTokens,
  type OpenDepotOptions,
  type ReadOnlyCheckOptions,
} from './open-depot';
