import { readFile, stat } from 'node:fs/promises';
import { DepotError } from '../../../shared/errors';

/** Workflows with embedded previews reach a few MB; anything this big is not one. */
const MAX_WORKFLOW_BYTES = 64 * 1024 * 1024;

/** The text of a workflow file, or `BAD_INPUT` saying why it cannot be read (missing, a folder, too big). */
export async function readWorkflowFile(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile())
      throw new DepotError('BAD_INPUT', `${file} is not a file; give the path of a workflow .json file.`);
    if (info.size > MAX_WORKFLOW_BYTES) {
      throw new DepotError(
        'BAD_INPUT',
        `${file} is ${info.size} bytes; a workflow is far smaller. Is it the right file?`,
      );
    }
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof DepotError) throw error;
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new DepotError('BAD_INPUT', `Cannot read the workflow ${file}: ${why}.`, { cause: error });
  }
}
