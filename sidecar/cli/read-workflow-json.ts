import { DepotError } from '../../shared/errors';
import { readWorkflowFile } from './check/check-read-workflow';

/** A workflow file parsed as JSON, or `BAD_INPUT` saying why it cannot be (missing, too big, not JSON). */
export async function readWorkflowJson(file: string): Promise<unknown> {
  const text = await readWorkflowFile(file);
  try {
    return JSON.parse(text);
  } catch {
    throw new DepotError('BAD_INPUT', `${file} is not valid JSON; export the workflow from ComfyUI again.`);
  }
}
