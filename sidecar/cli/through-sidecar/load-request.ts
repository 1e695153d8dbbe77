/**
 * undici's `request`, for a dynamic import: commands that find no sidecar never load undici. A dynamic import of
 * undici itself would not do: bundled, a CommonJS package imported dynamically offers only its default export.
 */
export { request } from 'undici';
