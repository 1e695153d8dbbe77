/**
 * `/scripts/app.js` is ComfyUI's public shim over `window.comfyAPI.app.app`; the bundler keeps it external.
 * A wildcard pattern because TypeScript refuses ambient declarations of rooted names such as `/scripts/app.js`.
 * Typed `unknown` on purpose: index.ts checks its shape before using it (`isComfyApp`).
 */
declare module '*/scripts/app.js' {
  export const app: unknown;
}
