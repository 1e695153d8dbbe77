import { zHubErrorBody, type HfRepoType } from './hub-schemas';
import { DepotError } from '../../../shared/errors';
import type { HubFetchResponse } from './hub-fetch';
import { parseJsonText } from '../../runtime/parse-json-text';
import { redactUrl } from '../../runtime/redact-url';

export interface HfHttpErrorInput {
  response: HubFetchResponse;
  url: string;
  hubUrl: string;
  repoType: HfRepoType;
  repoId: string;
  /** Whether a token was sent (401 then means "not accepted", not "missing"). */
  sentToken: boolean;
  /** What was asked, for the message: `org/repo/file.safetensors`. */
  what: string;
}

/** The page where access to a repository is asked for (also named in HF's 403 message). */
export function hfRepoPage(hubUrl: string, repoType: HfRepoType, repoId: string): string {
  const prefix = { model: '', dataset: 'datasets/', space: 'spaces/' }[repoType];
  return `${hubUrl.replace(/\/+$/, '')}/${prefix}${repoId}`;
}

/**
 * The DepotError for an HF error answer, from `X-Error-Code` / `X-Error-Message`.
 * A missing repository and a private one the caller may not see answer alike, so neither message claims which:
 * without a token the Hub answers a bare 401 (AUTH_REQUIRED: a token may open a private repository), with a valid
 * token 404 `RepoNotFound` (NOT_FOUND, `details.errorCode`). A 401 to a request that carried a token means the token
 * itself was refused. 403 GatedRepo is AUTH_DENIED with the page where access is asked for; other 404s are
 * NOT_FOUND, anything else HTTP_ERROR. Details never hold the token.
 */
export async function hfHttpError(input: HfHttpErrorInput): Promise<DepotError> {
  const { response, what } = input;
  const status = response.status;
  const code = response.headers.get('x-error-code') ?? undefined;
  const text = await response.text().catch(() => '');
  const body = zHubErrorBody.safeParse(parseJsonText(text));
  const serverMessage = response.headers.get('x-error-message') ?? (body.success ? body.data.error : undefined);
  const page = hfRepoPage(input.hubUrl, input.repoType, input.repoId);
  const askedAt = serverMessage === undefined ? undefined : /Visit (\S+) to ask for access/.exec(serverMessage)?.[1];
  const details = {
    provider: 'huggingface',
    status,
    ...(code === undefined ? {} : { errorCode: code }),
    url: redactUrl(input.url),
  };
  if (status === 401) {
    return new DepotError('AUTH_REQUIRED', `${what}: ${unauthorized(code, input.sentToken, page)}`, {
      details: { ...details, accessUrl: page },
    });
  }
  if (status === 403) {
    const accessUrl = askedAt ?? page;
    return new DepotError(
      'AUTH_DENIED',
      `${what}: the HuggingFace token has no access (HTTP 403). Ask for access at ${accessUrl}, then try again.`,
      {
        details: { ...details, accessUrl },
      },
    );
  }
  if (status === 404 && code === 'RepoNotFound') {
    const why = input.sentToken
      ? 'the repository does not exist, or it is private and the HuggingFace token has no access to it'
      : 'the repository does not exist, or it is private and needs a HuggingFace token';
    return new DepotError(
      'NOT_FOUND',
      `${what}: ${why} (HTTP 404). Check the repository id and type${input.sentToken ? ', or use a token of an account that can see it' : ''}.`,
      { details },
    );
  }
  if (status === 404) {
    const why =
      code === 'RevisionNotFound'
        ? 'no such branch, tag or commit'
        : code === 'EntryNotFound'
          ? 'no such file or folder'
          : 'not found';
    return new DepotError('NOT_FOUND', `${what}: ${why} (HTTP 404).`, { details });
  }
  return new DepotError('HTTP_ERROR', `${what}: ${redactUrl(input.url)} answered HTTP ${status}.`, { details });
}

/** What a 401 means and what to do: the Hub sends one only when no token, or a refused one, came with the request. */
function unauthorized(code: string | undefined, sentToken: boolean, page: string): string {
  if (code === 'GatedRepo') {
    const why = sentToken
      ? 'the HuggingFace token was not accepted for this gated repository'
      : 'the repository is gated and needs a HuggingFace token';
    return `${why} (HTTP 401). Give a token with read access (ask for access at ${page} first).`;
  }
  if (!sentToken) {
    return 'the repository does not exist, or it is private and needs a HuggingFace token (HTTP 401). Check the repository id and type, or give a token with read access.';
  }
  if (code === 'RepoNotFound') {
    return 'the repository does not exist, or the token has no access to it (HTTP 401). Check the repository id and type, or give a token with read access.';
  }
  return 'the HuggingFace token was not accepted (invalid or expired) (HTTP 401). Give a valid token with read access.';
}
