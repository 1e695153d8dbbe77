/** Where ComfyUI's model-depot custom node forwards the sidecar's WebSocket on ComfyUI's own server. */
export const FORWARDED_SOCKET_PATH = '/model-depot/ws';

/**
 * The WebSocket URL to open for a sidecar URL setting. Empty (the default) means through ComfyUI itself: the custom
 * node's `/model-depot/ws` on the page's own origin, `wss:` on an HTTPS page, so it works whatever host, port or scheme
 * ComfyUI is reached by. Anything else is the user's direct URL, used as it is. Undefined when an empty setting
 * has no page to resolve against.
 */
export function sidecarSocketUrl(setting: string, pageUrl: string | undefined): string | undefined {
  if (setting.trim() !== '') return setting.trim();
  if (pageUrl === undefined) return undefined;
  let page: URL;
  try {
    page = new URL(pageUrl);
  } catch {
    return undefined;
  }
  if (page.protocol !== 'http:' && page.protocol !== 'https:') return undefined;
  return `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}${FORWARDED_SOCKET_PATH}`;
}
