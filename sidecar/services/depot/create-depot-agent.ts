import { DepotError } from '../../../shared/errors';
import { createHttpAgent, type HttpAgent } from '../../remote/http/create-http-agent';
import { METADATA_TIMEOUT_MS } from '../../remote/hub/hub-fetch';

export interface CreateDepotAgentOptions {
  /**
   * The depot's environment: HTTP_PROXY, HTTPS_PROXY, NO_PROXY (either case), NODE_EXTRA_CA_CERTS, and
   * HF_HUB_ETAG_TIMEOUT (seconds a metadata request may wait for each phase). Default {}.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** A proxy for every request (the config's `proxy`), over HTTP_PROXY/HTTPS_PROXY; NO_PROXY still applies. */
  proxy?: string;
  /** ms each phase of a metadata request may take; over HF_HUB_ETAG_TIMEOUT. Default 10 s. */
  metadataTimeoutMs?: number;
}

/**
 * The one agent of a depot for its metadata requests (file info, Civitai versions): the environment's proxies and
 * authorities, and timeouts a person waiting on a check can bear. Throws BAD_CONFIG for an unusable value.
 */
export function createDepotAgent(options: CreateDepotAgentOptions): HttpAgent {
  const env = options.env ?? {};
  const ms = options.metadataTimeoutMs ?? etagTimeoutMs(env.HF_HUB_ETAG_TIMEOUT) ?? METADATA_TIMEOUT_MS;
  return createHttpAgent({
    env,
    ...(options.proxy ? { proxy: options.proxy } : {}),
    connectTimeoutMs: ms,
    headersTimeoutMs: ms,
    bodyTimeoutMs: ms,
  });
}

function etagTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new DepotError(
      'BAD_CONFIG',
      `HF_HUB_ETAG_TIMEOUT is "${value}", not a number of seconds; set it to a positive number (10 by default) or unset it.`,
    );
  }
  return seconds * 1000;
}
