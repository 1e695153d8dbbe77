import { z } from 'zod';
import type { ComfyAppLike } from './comfy-app-types';

export interface ClearMissingModelMarksOptions {
  app: ComfyAppLike;
  /** `<folder>/<name>` of every file that just arrived (jobs' `targetPath`). */
  targetPaths: readonly string[];
}

/** A node error as ComfyUI's /prompt answer has it; only what tells a missing model file is read. */
const zNodeError = z.object({
  errors: z.array(
    z.object({ extra_info: z.object({ received_value: z.unknown().optional() }).partial().optional() }).passthrough(),
  ),
});

/** A loader node as the graph holds it: the widget values name the files it loads. */
const zGraphNode = z.object({
  id: z.union([z.number(), z.string()]),
  widgets: z.array(z.object({ value: z.unknown() }).passthrough()).optional(),
});

/**
 * Makes the workflow look runnable again once its models have arrived, without a reload: newer frontends re-run
 * their missing-model scan (`refreshMissingModels`, silent, which also reloads the model lists), and the errors of
 * the last queue attempt (`lastNodeErrors`, a value "not in list" per missing file) lose the entries about these
 * files; a node left with no error loses its red mark (`has_errors`). Errors about other files stay.
 */
export async function clearMissingModelMarks({ app, targetPaths }: ClearMissingModelMarksOptions): Promise<void> {
  const arrived = (value: unknown) =>
    typeof value === 'string' && value !== '' && targetPaths.some((p) => p === value || p.endsWith(`/${value}`));
  const lastErrors = app.extensionManager?.lastNodeErrors ?? app.lastNodeErrors ?? null;
  for (const node of graphNodes(app)) {
    const parsedNode = zGraphNode.safeParse(node);
    if (!parsedNode.success) continue;
    const id = String(parsedNode.data.id);
    const entry = lastErrors?.[id];
    const parsed = entry === undefined ? undefined : zNodeError.safeParse(entry);
    if (lastErrors && parsed?.success) {
      const remaining = parsed.data.errors.filter((error) => !arrived(error.extra_info?.received_value));
      if (remaining.length === parsed.data.errors.length) continue;
      // The store's own object, changed in place: the frontend's getters return it and watch it.
      if (remaining.length === 0) {
        delete lastErrors[id];
        Reflect.set(node, 'has_errors', false);
      } else {
        Reflect.set(lastErrors[id] ?? {}, 'errors', remaining);
      }
    } else if (
      app.refreshMissingModels === undefined &&
      Reflect.get(node, 'has_errors') === true &&
      parsedNode.data.widgets?.some((widget) => arrived(widget.value))
    ) {
      Reflect.set(node, 'has_errors', false);
    }
  }
  await app.refreshMissingModels?.({ silent: true });
  app.graph?.setDirtyCanvas?.(true, true);
}

function graphNodes(app: ComfyAppLike): readonly object[] {
  return app.graph?.nodes ?? app.graph?._nodes ?? [];
}
