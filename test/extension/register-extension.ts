import type { ComfyAppLike } from '../../extension/comfyui/comfy-app-types';
import {
  createModelDepotExtension,
  type ModelDepotExtensionOptions,
} from '../../extension/create-model-depot-extension';
import { extractRequirements } from '../../shared/workflow/extract-requirements';

/**
 * Registers the real extension on a fake ComfyUI app as a jsdom page loads it (the page's WebSocket and document, the
 * shared requirement extractor), and returns what stops it: its socket closes and its dialogs go.
 */
export function registerExtension(
  app: ComfyAppLike,
  options: Pick<ModelDepotExtensionOptions, 'storage' | 'backoff'> = {},
): () => void {
  const stop = new AbortController();
  app.registerExtension(
    createModelDepotExtension({ app, WebSocket, doc: document, extractRequirements, ...options, signal: stop.signal }),
  );
  return () => stop.abort();
}
