import { DepotError } from '../../../shared/errors';
import { zCivitaiModelVersion, zHubErrorBody, type CivitaiModelVersion } from './hub-schemas';
import { hubRequest, type HubCallOptions } from './hub-request';
import { parseJsonText } from '../../runtime/parse-json-text';
import { redactUrl } from '../../runtime/redact-url';

export type CivitaiModelVersionOptions = ({ versionId: number; hash?: never } | { hash: string; versionId?: never }) &
  HubCallOptions & {
    /** CIVITAI_ENDPOINT; default https://civitai.com. */
    civitaiUrl?: string;
    /** Sent as `Authorization: Bearer` (some versions are visible only when signed in). */
    token?: string;
  };

/**
 * A Civitai model version by id (`/api/v1/model-versions/{id}`) or by a file hash (`/by-hash/{hash}`: SHA256, AutoV2,
 * BLAKE3, CRC32; any case). Each file gains `sha256` in lowercase hex; `sizeKB` is not an exact byte count.
 * @returns null when Civitai has no such version (404).
 * @throws DepotError AUTH_REQUIRED (401) / AUTH_DENIED (403) / RATE_LIMITED / HTTP_ERROR / NETWORK.
 */
export async function civitaiModelVersion(options: CivitaiModelVersionOptions): Promise<CivitaiModelVersion | null> {
  const base = (options.civitaiUrl ?? 'https://civitai.com').replace(/\/+$/, '');
  const url =
    options.hash !== undefined
      ? `${base}/api/v1/model-versions/by-hash/${encodeURIComponent(options.hash.trim())}`
      : `${base}/api/v1/model-versions/${options.versionId}`;
  const what =
    options.hash !== undefined
      ? `Civitai model with hash ${options.hash.trim()}`
      : `Civitai model version ${options.versionId}`;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  const response = await hubRequest(url, { headers, redirect: 'manual' }, options);
  const json = parseJsonText(await response.text());
  if (response.status === 404) return null;
  if (response.status === 401 || response.status === 403) {
    const body = zHubErrorBody.safeParse(json);
    const said = body.success ? ` Civitai said: "${body.data.message ?? body.data.error}"` : '';
    const details = { provider: 'civitai', status: response.status };
    if (response.status === 401) {
      const why = options.token === undefined ? 'needs a Civitai API token' : 'the Civitai API token was not accepted';
      throw new DepotError('AUTH_REQUIRED', `${what}: ${why} (HTTP 401).${said}`, { details });
    }
    throw new DepotError('AUTH_DENIED', `${what}: the Civitai API token has no access (HTTP 403).${said}`, { details });
  }
  if (response.status !== 200) {
    throw new DepotError('HTTP_ERROR', `${what}: ${redactUrl(url)} answered HTTP ${response.status}.`, {
      details: { status: response.status },
    });
  }
  const parsed = zCivitaiModelVersion.safeParse(json);
  if (!parsed.success) {
    throw new DepotError(
      'HTTP_ERROR',
      `${what}: ${redactUrl(url)} answered a model version we cannot read (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'bad JSON'}).`,
    );
  }
  return parsed.data;
}
