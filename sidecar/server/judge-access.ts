import type { IncomingHttpHeaders } from 'node:http';
import type { OriginGuard } from './origin-guard';
import { PROXY_KEY_HEADER, PROXY_PREFIX, type ProxyKey } from './proxy-key';

export interface JudgeAccessOptions {
  /** The request target as received (`/model-depot/models?x=1`), query included. */
  url: string;
  headers: IncomingHttpHeaders;
  guard: OriginGuard;
  /** The key ComfyUI's custom node proves itself with; undefined when it could not be written. */
  proxyKey: ProxyKey | undefined;
  /** The listening port (Host must name it). */
  port: number;
  /** Check Origin too: for state-changing requests, preflights and WebSocket upgrades. */
  checkOrigin: boolean;
}

export type Access =
  /** `url` is what to route: without the custom node's prefix when the request came through it. */
  { allowed: true; forwarded: boolean; url: string } | { allowed: false; refusal: Refusal };

/** Why a request was refused, for the client (`message`) and for the sidecar's log (`fields`, `advice`). */
export interface Refusal {
  reason: 'host' | 'origin' | 'proxy-key';
  /** The answer's sentence: what was refused and what to change. */
  message: string;
  /** What the log line adds: the config key to edit and the value to put in it. */
  advice: string;
  /** The refused origin and host as sent (cut to 100 characters), for the log. */
  origin?: string;
  host?: string;
}

const quoted = (value: string | undefined): string => JSON.stringify(String(value ?? '').slice(0, 100));

/**
 * Who may use the sidecar. A request that claims to come through ComfyUI's custom node (its path starts with
 * `/model-depot/`, or it carries the key header) is served only with the right key, whatever its Origin and Host:
 * the browser's origin is then ComfyUI's page, which the config need not list. Any other request is a direct one,
 * checked as before: Host must name the sidecar, and Origin, where checked, must be in allowed_origins.
 */
export function judgeAccess(options: JudgeAccessOptions): Access {
  const { url, headers, guard, port } = options;
  const pathOnly = url.split('?')[0] ?? '';
  const prefixed = pathOnly === PROXY_PREFIX || pathOnly.startsWith(`${PROXY_PREFIX}/`);
  const key = headers[PROXY_KEY_HEADER];
  if (prefixed || key !== undefined) {
    if (options.proxyKey?.matches(key)) {
      return { allowed: true, forwarded: true, url: prefixed ? url.slice(PROXY_PREFIX.length) || '/' : url };
    }
    return {
      allowed: false,
      refusal: {
        reason: 'proxy-key',
        // No path in the answer: whoever is refused learns nothing about this machine's folders.
        message:
          "This request claims to come through ComfyUI's model-depot custom node but does not carry the sidecar's key. " +
          'Run the sidecar on the same models folder as ComfyUI (model-depot serve --comfyui <ComfyUI folder>), or set ' +
          'MODEL_DEPOT_KEY_FILE to the same file for both; a browser connects to /ws directly instead.',
        advice: options.proxyKey
          ? `this sidecar wrote its key to ${options.proxyKey.file}; ComfyUI's custom node reads <ComfyUI models>/.registry/sidecar-key, or MODEL_DEPOT_KEY_FILE: run the sidecar on ComfyUI's models folder (serve --comfyui), or set MODEL_DEPOT_KEY_FILE for both`
          : 'the key file could not be written; see the warning at start',
      },
    };
  }
  const host = headers.host;
  if (!guard.hostAllowed(host, port)) {
    const name = hostName(host);
    return {
      allowed: false,
      refusal: {
        reason: 'host',
        host: String(host ?? '').slice(0, 100),
        message: `Host ${quoted(host)} is not served by this sidecar (DNS-rebinding protection); use http://127.0.0.1:${port}.`,
        advice:
          name === undefined
            ? 'a request without a usable Host header is never served'
            : `if a ComfyUI reaches the sidecar by this name, add "${name}" to allowed_hosts in the config and restart`,
      },
    };
  }
  const origin = headers.origin;
  if (options.checkOrigin && !guard.originAllowed(origin)) {
    const listed = originToList(origin);
    return {
      allowed: false,
      refusal: {
        reason: 'origin',
        origin: String(origin).slice(0, 100),
        message:
          `Origin ${quoted(origin)} may not use the sidecar; add it to allowed_origins in the config to allow it, ` +
          "or connect through ComfyUI's own server (/model-depot/ws).",
        advice:
          listed === undefined
            ? 'an opaque or malformed origin is never allowed'
            : `to allow this page, add "${listed}" to allowed_origins in the config and restart; or leave the extension's sidecar URL empty so ComfyUI forwards the connection`,
      },
    };
  }
  return { allowed: true, forwarded: false, url };
}

/** The name part of a Host header (no port), as allowed_hosts takes it; undefined when there is none. */
function hostName(host: string | undefined): string | undefined {
  if (host === undefined || host.trim() === '') return undefined;
  const trimmed = host.trim().toLowerCase();
  const bracketed = /^\[[^\]]*\]/.exec(trimmed)?.[0];
  const name = bracketed ?? trimmed.split(':')[0];
  return name === undefined || name === '' ? undefined : name.slice(0, 100);
}

/** The origin as allowed_origins takes it (scheme://host[:port]); undefined for an opaque or malformed one. */
function originToList(origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  try {
    const parsed = new URL(origin).origin;
    return parsed === 'null' ? undefined : parsed;
  } catch {
    return undefined;
  }
}
