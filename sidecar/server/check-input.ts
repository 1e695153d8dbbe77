import type { CheckInput } from '../services/create-depot';

/**
 * What a check request asks about. `POST /models/check-dependencies` takes a workflow JSON itself, or
 * `{ workflow }`, or `{ dependencies }` (DESIGN.md); the WebSocket `check` message has the two fields.
 * A body with `nodes` is a workflow even when it also has a `workflow` or `dependencies` key.
 */
export function checkInputOf(body: unknown): CheckInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { workflow: body };
  const hasWrapper = 'workflow' in body || 'dependencies' in body;
  if (!hasWrapper || 'nodes' in body) return { workflow: body };
  return {
    workflow: 'workflow' in body ? body.workflow : undefined,
    dependencies: 'dependencies' in body ? body.dependencies : undefined,
  };
}
