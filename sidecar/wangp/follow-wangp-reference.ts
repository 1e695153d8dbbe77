import type { WanGpDefinition } from './read-wangp-definitions';
import type { WanGpModelFields } from './wangp-definition-schema';

/** What one model holds for the property being followed. */
export type WanGpPropertyStep<T> =
  | { value: T | undefined } // the property itself (undefined: the model does not have it)
  | { reference: string } // the id of the model to read the property from instead
  | { problem: string }; // the property cannot be used as it is

export interface FollowWanGpReferenceOptions<T> {
  /** Every model WanGP knows, hidden ones included. */
  definitions: ReadonlyMap<string, WanGpDefinition>;
  /** The model to start from. */
  modelId: string;
  /** The property followed, as messages name it (`URLs`, `modules`...). */
  property: string;
  /** Reads the property from one model, given with its id. */
  read: (model: WanGpModelFields, id: string) => WanGpPropertyStep<T>;
}

export type WanGpReferenceResult<T> =
  | { value: T | undefined; ownerId: string } // ownerId: the model that holds the value
  | { problem: string };

/** WanGP raises once eleven references have been followed without reaching a value. */
const MAX_REFERENCES = 11;

/**
 * Follows a property that may name another model instead of holding a value ("URLs": "t2v" means t2v's URLs),
 * as WanGP does, until a model holds a value. A reference to a model nobody defines, a loop or a chain longer than
 * WanGP follows comes back as a problem saying which models are involved.
 */
export function followWanGpReference<T>({
  definitions,
  modelId,
  property,
  read,
}: FollowWanGpReferenceOptions<T>): WanGpReferenceResult<T> {
  const chain = [modelId];
  for (;;) {
    const current = chain[chain.length - 1] ?? modelId;
    const definition = definitions.get(current);
    if (definition === undefined) {
      return {
        problem:
          `${property} refers to model "${current}" (${chain.join(' -> ')}), which no readable file in defaults/ ` +
          `or finetunes/ defines. Fix the reference, or add ${current}.json.`,
      };
    }
    const step = read(definition.model, current);
    if ('problem' in step) return step;
    if ('value' in step) return { value: step.value, ownerId: current };
    if (chain.includes(step.reference)) {
      return {
        problem:
          `${property} references form a loop (${[...chain, step.reference].join(' -> ')}). ` +
          'Make one of these models list its files instead of naming another model.',
      };
    }
    if (chain.length > MAX_REFERENCES) {
      return {
        problem:
          `${property} goes through more than ${MAX_REFERENCES} references (${chain.join(' -> ')} -> ...), ` +
          'more than WanGP follows. Name a model closer to the one that lists the files.',
      };
    }
    chain.push(step.reference);
  }
}
