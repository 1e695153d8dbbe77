/** Kept in step with package.json by hand; the sidecar reports it on GET /health and in the WebSocket hello. */
export const VERSION = '0.1.0';
