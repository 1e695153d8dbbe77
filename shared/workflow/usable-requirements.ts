import { DepotError } from '../errors';
import {
  type ExtractRequirementsOptions,
  extractRequirements,
  type ExtractedRequirements,
} from './extract-requirements';

/** A check or an install handles at most this many models at once: more is not a workflow, and would stall the sidecar. */
export const MAX_REQUIREMENTS = 1000;

/**
 * The requirements of a workflow, or BAD_INPUT when it names no usable model or too many. Commands call it before
 * they lock the registry, so bad input is reported as such even while another model-depot holds the models root.
 */
export function usableRequirements(input: unknown, options: ExtractRequirementsOptions = {}): ExtractedRequirements {
  const extracted = extractRequirements(input, options);
  const { requirements, invalid } = extracted;
  if (requirements.length === 0 && invalid.length > 0) {
    const shown = invalid
      .slice(0, 3)
      .map((e) => `${e.path}: ${e.message}`)
      .join('; ');
    const more = invalid.length > 3 ? ` (and ${invalid.length - 3} more)` : '';
    throw new DepotError('BAD_INPUT', `The workflow names no usable model: ${shown}${more}.`);
  }
  assertNotTooMany(requirements.length);
  return extracted;
}

export function assertNotTooMany(count: number): void {
  if (count > MAX_REQUIREMENTS) {
    throw new DepotError(
      'BAD_INPUT',
      `The workflow names ${count} models; at most ${MAX_REQUIREMENTS} are checked or installed at once. Split it.`,
    );
  }
}
