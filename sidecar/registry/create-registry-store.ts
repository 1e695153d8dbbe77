import path from 'node:path';
import { DepotError, hasErrorCode } from '../../shared/errors';
import { removeWriteLeftovers } from '../disk/remove-write-leftovers';
import type { RegistryFile } from './registry-schema';
import { DurableDataFile } from './durable-data-file';
import { registryIoError } from './registry-io-error';

export interface CreateRegistryStoreOptions {
  /** Absolute path of `models.json`; its folder exists and its lock is held. */
  file: string;
}

/** Where the registry is saved: `write` resolves once the whole registry is durably on disk. */
export interface RegistryStore {
  /** Saves the whole registry (DISK_FULL when the disk is full, IO for any other failure; the old file stays). */
  write(data: RegistryFile): Promise<void>;
}

/**
 * The registry's on-disk store (loading is `loadRegistryFile`): a durable lowdb adapter over `models.json`, written
 * indented so a person can read it. It first removes the temporary files of writes that a killed process left
 * behind, which only the lock holder may do: no one else writes there.
 */
export async function createRegistryStore(options: CreateRegistryStoreOptions): Promise<RegistryStore> {
  const { file } = options;
  // `.models.json.tmp`: the temporary file of the steno writer of older versions.
  await removeWriteLeftovers({ file, olderNames: [`.${path.basename(file)}.tmp`] }).catch((error: unknown) => {
    throw registryIoError(`Cannot clean the registry folder ${path.dirname(file)}`, error);
  });
  const adapter = new DurableDataFile<RegistryFile>(file, {
    parse: JSON.parse,
    stringify: (value) => `${JSON.stringify(value, null, 1)}\n`,
  });
  return {
    async write(data) {
      try {
        await adapter.write(data);
      } catch (error) {
        if (hasErrorCode(error, 'ENOSPC')) {
          throw new DepotError('DISK_FULL', `The disk holding ${file} is full; the registry was not saved.`, {
            cause: error,
          });
        }
        throw registryIoError(`Cannot write the registry ${file}`, error);
      }
    },
  };
}
