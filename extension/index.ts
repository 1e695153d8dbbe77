/**
 * The bundle's entry point, imported by ComfyUI from custom_nodes/comfyui-model-depot/web/model-depot.js.
 * `/scripts/app.js` stays external (build.mjs): ComfyUI serves it as a shim over window.comfyAPI.app.app.
 */
import { app } from '/scripts/app.js';
import { extractRequirements } from '../shared/workflow/extract-requirements';
import { createModelDepotExtension } from './create-model-depot-extension';
import { isComfyApp } from './comfyui/is-comfy-app';

if (isComfyApp(app)) {
  app.registerExtension(
    createModelDepotExtension({
      app,
      WebSocket,
      doc: document,
      extractRequirements,
      // Only the keys of answered workflows; localStorage is per browser profile, like ComfyUI's own UI state.
      storage: window.localStorage,
    }),
  );
} else {
  console.error('model-depot: /scripts/app.js did not provide a ComfyUI app; the extension is not loaded.');
}
