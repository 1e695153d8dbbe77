import { DepotError } from '../../shared/errors';

/** The DepotError a promise rejects with, for asserting its code, message and details; anything else fails the test. */
export async function depotErrorOf(promise: Promise<unknown>): Promise<DepotError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DepotError) return error;
    throw error;
  }
  throw new Error('expected a DepotError');
}
