import { hasErrorCode } from '../../shared/errors';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { parseJsonText } from '../runtime/parse-json-text';

/**
 * A JSON file parsed with `schema`, or undefined when the file is missing, is not JSON (torn by a crash, edited by
 * hand) or does not match the schema: for caches and state files, which are rebuilt rather than fatal. Any other
 * read error (permissions, a folder in the way) throws.
 */
export async function readValidJsonFile<Schema extends z.ZodTypeAny>(
  file: string,
  schema: Schema,
): Promise<z.infer<Schema> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const parsed = schema.safeParse(parseJsonText(text));
  return parsed.success ? parsed.data : undefined;
}
