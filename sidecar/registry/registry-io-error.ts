import { DepotError } from '../../shared/errors';

/** A file-system failure of the registry as an IO DepotError: what failed, then the system's reason. */
export function registryIoError(what: string, error: unknown): DepotError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DepotError('IO', `${what}: ${reason}`, { cause: error });
}
