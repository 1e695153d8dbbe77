import type { Logger } from '../runtime/logger';
import type { Refusal } from './judge-access';

export interface RefusalLogOptions {
  /** Where the warnings go. */
  logger: Logger;
  /** The config file named in the advice. Default none (the line says "the config"). */
  configFile?: string;
  /** The same refusal (HTTP or WebSocket, reason, origin, host) is logged at most once in this many ms. Default 60 000. */
  repeatMs?: number;
  /** Time source. Default Date.now. */
  now?: () => number;
}

export interface RefusedRequest {
  method: string;
  /** The request path; its query is left out of the log. */
  url: string;
  via: 'http' | 'websocket';
}

export type RefusalLog = (refusal: Refusal, request: RefusedRequest) => void;

/** Remembered refusals beyond this are forgotten (oldest first): a flood of made-up origins cannot grow memory. */
const MAX_REMEMBERED = 200;

/**
 * Logs every kind of refusal with what to change in the config, so whoever runs the sidecar sees why ComfyUI could not
 * connect. A page that retries every few seconds is logged once a minute, not on every attempt. No header value but
 * Origin and Host is logged: never the custom node's key.
 */
export function createRefusalLog(options: RefusalLogOptions): RefusalLog {
  const repeatMs = options.repeatMs ?? 60_000;
  const now = options.now ?? Date.now;
  const lastLogged = new Map<string, number>();
  const config = options.configFile === undefined ? {} : { config: options.configFile };
  return (refusal, request) => {
    const id = `${request.via}\n${refusal.reason}\n${refusal.origin ?? ''}\n${refusal.host ?? ''}`;
    const at = now();
    const last = lastLogged.get(id);
    if (last !== undefined && at - last < repeatMs) return;
    lastLogged.delete(id);
    lastLogged.set(id, at);
    if (lastLogged.size > MAX_REMEMBERED) {
      const oldest = lastLogged.keys().next().value;
      if (oldest !== undefined) lastLogged.delete(oldest);
    }
    const what = { host: 'a foreign Host', origin: 'a foreign Origin', 'proxy-key': 'no valid custom-node key' }[
      refusal.reason
    ];
    const path = (request.url.split('?')[0] ?? '').slice(0, 100);
    options.logger.warn(
      `refused ${request.via === 'websocket' ? 'a WebSocket' : 'a request'} (${request.method} ${path}): ${what}; ${refusal.advice}`,
      {
        ...(refusal.origin === undefined ? {} : { origin: refusal.origin }),
        ...(refusal.host === undefined ? {} : { host: refusal.host }),
        ...config,
      },
    );
  };
}
