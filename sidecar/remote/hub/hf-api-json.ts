import type { z } from 'zod';
import { DepotError } from '../../../shared/errors';
import { parseJsonText } from '../../runtime/parse-json-text';
import { redactUrl } from '../../runtime/redact-url';
import { hfHttpError } from './hf-http-error';
import type { HubFetchResponse } from './hub-fetch';
import { hubRequest, type HubCallOptions } from './hub-request';
import type { HfRepoType } from './hub-schemas';

export interface HfApiJsonRequest<Schema extends z.ZodType> {
  /** The API URL, token-free. */
  url: string;
  /** HF_ENDPOINT without a trailing slash. */
  hubUrl: string;
  repoType: HfRepoType;
  repoId: string;
  /** Sent as `Authorization: Bearer`; never put in a message. Default: none. */
  token?: string;
  /** What was asked, for messages: `org/repo` or `org/repo/folder`. */
  what: string;
  /** The answer's body. */
  schema: Schema;
  /** What the answer is, for the message when it cannot be read: 'a tree listing'. */
  answer: string;
}

/**
 * One GET on the Hub's JSON API: an answer other than 200 becomes hfHttpError's DepotError, a body that does not
 * match `schema` HTTP_ERROR. The headers come back too (the tree listing follows `Link`).
 */
export async function hfApiJson<Schema extends z.ZodType>(
  request: HfApiJsonRequest<Schema>,
  options: HubCallOptions,
): Promise<{ data: z.infer<Schema>; headers: HubFetchResponse['headers'] }> {
  const { url, hubUrl, repoType, repoId, token, what } = request;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const response = await hubRequest(url, { headers }, options);
  if (response.status !== 200) {
    throw await hfHttpError({ response, url, hubUrl, repoType, repoId, sentToken: token !== undefined, what });
  }
  const parsed = request.schema.safeParse(parseJsonText(await response.text()));
  if (!parsed.success) {
    throw new DepotError(
      'HTTP_ERROR',
      `${what}: ${redactUrl(url)} answered ${request.answer} we cannot read (${parsed.error.issues[0]?.message ?? 'bad JSON'}).`,
    );
  }
  return { data: parsed.data, headers: response.headers };
}
