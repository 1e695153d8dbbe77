import { DepotError } from '../errors';
import { readLoaderWidgets } from './read-workflow-nodes';
import type { RequirementCollector } from './requirement-collector';
import { zApiPromptNode } from './workflow-schema';

/** Same bound as the UI format's node count. */
const MAX_PROMPT_NODES = 20_000;

/**
 * ComfyUI's API (prompt) format, `{ "3": { "class_type": "CheckpointLoaderSimple", "inputs": { "ckpt_name": ... } } }`:
 * the loader inputs name the files. Muted and bypassed nodes are already left out of a prompt by the frontend.
 * Returns whether the object looked like a prompt at all (at least one node with `class_type` and `inputs`).
 */
export function readApiPrompt(prompt: object, prefix: string, out: RequirementCollector): boolean {
  const keys = Object.keys(prompt);
  if (keys.length > MAX_PROMPT_NODES) {
    throw new DepotError('BAD_INPUT', `The input has more than ${MAX_PROMPT_NODES} keys; it was refused as junk.`);
  }
  let found = false;
  for (const key of keys) {
    const parsed = zApiPromptNode.safeParse(Reflect.get(prompt, key));
    if (!parsed.success) continue;
    found = true;
    const inputs = new Map(Object.entries(parsed.data.inputs));
    readLoaderWidgets(
      parsed.data.class_type,
      { list: [...inputs.values()], byName: inputs },
      `${prefix}${key}.inputs`,
      out,
    );
  }
  return found;
}
