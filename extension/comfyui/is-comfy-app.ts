import type { ComfyAppLike } from './comfy-app-types';

/** `/scripts/app.js` is the host's: check it is a ComfyUI app before registering with it. */
export function isComfyApp(value: unknown): value is ComfyAppLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    'registerExtension' in value &&
    typeof value.registerExtension === 'function'
  );
}
