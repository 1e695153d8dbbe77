/**
 * Who may talk to the sidecar (issue 5, item 2). A web page on another site can reach 127.0.0.1 from the user's
 * browser, so state-changing routes and the WebSocket upgrade check `Origin` against an allow-list, and every request
 * checks `Host` against the names the sidecar serves: a DNS-rebinding page sends its own host name, never ours.
 */
export interface OriginGuardOptions {
  /** Origins allowed to drive the sidecar, e.g. ComfyUI's `http://127.0.0.1:8188` (config `allowed_origins`). */
  allowedOrigins: readonly string[];
  /** The host the sidecar was asked to bind (`--host`); served besides 127.0.0.1, localhost and [::1]. */
  host: string;
  /** Further host names (without port) to accept, for a sidecar reached over a LAN name. Default none. */
  extraHosts?: readonly string[];
}

export interface OriginGuard {
  /** Whether a `Host` header names this sidecar on `port`. A missing Host is refused (browsers always send one). */
  hostAllowed(hostHeader: string | undefined, port: number): boolean;
  /** Whether an `Origin` header may drive the sidecar. No Origin = not a browser (the CLI, curl): allowed. */
  originAllowed(originHeader: string | undefined): boolean;
  /** Whether `origin` is on the allow-list (for CORS headers: only then are they sent). */
  isListedOrigin(originHeader: string | undefined): boolean;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

function normalizeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    // `new URL('null').origin` throws; opaque origins (sandboxed frames, file://) come out as the string 'null'.
    return url.origin === 'null' ? undefined : url.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

function bracketIpv6(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function createOriginGuard(options: OriginGuardOptions): OriginGuard {
  const origins = new Set(options.allowedOrigins.map(normalizeOrigin).filter((o): o is string => o !== undefined));
  const names = new Set(
    [...LOOPBACK_NAMES, options.host, ...(options.extraHosts ?? [])]
      // 0.0.0.0 and :: are bind-all addresses, never a name a client should use.
      .filter((h) => h !== '' && h !== '0.0.0.0' && h !== '::')
      .map((h) => bracketIpv6(h.toLowerCase())),
  );
  const isListedOrigin = (originHeader: string | undefined): boolean => {
    if (originHeader === undefined) return false;
    const normalized = normalizeOrigin(originHeader);
    return normalized !== undefined && origins.has(normalized);
  };
  return {
    hostAllowed(hostHeader, port) {
      if (hostHeader === undefined) return false;
      const lower = hostHeader.trim().toLowerCase();
      for (const name of names) {
        if (lower === `${name}:${port}`) return true;
        // A client on the default port may leave it out of Host.
        if (port === 80 && lower === name) return true;
      }
      return false;
    },
    originAllowed(originHeader) {
      return originHeader === undefined || isListedOrigin(originHeader);
    },
    isListedOrigin,
  };
}
