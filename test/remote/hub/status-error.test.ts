import { describe, expect } from 'vitest';
import { statusError } from '../../../sidecar/remote/hub/status-error';
import { test } from '../../fake-hub/fake-hub-fixture';
import type { FakeHub } from '../../fake-hub/create-fake-hub';

const VALID = 'hf_valid_without_grant';

/** The downloader's view of an HF resolve answer: a GET sent by the endpoint's own host, redirects not followed. */
async function errorOf(hub: FakeHub, repoId: string, path: string, token?: string) {
  const url = hub.resolveUrl(repoId, path);
  const response = await fetch(url, {
    redirect: 'manual',
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
  return statusError({
    response,
    url,
    provider: 'huggingface',
    sentToken: token !== undefined,
    name: path,
    ...(token === undefined ? {} : { token }),
  });
}

function addPrivate(hub: FakeHub): void {
  hub.addRepo({
    id: 'org/private',
    private: true,
    tokensWithAccess: ['hf_owner'],
    files: [{ path: 'a.safetensors', size: 10 }],
  });
}

const WITHOUT_TOKEN =
  /^a\.safetensors: the HuggingFace repository does not exist, or it is private and needs a token, and none was given \(HTTP 401\)\. Check the URL, or give a HuggingFace token with read access\.$/;
const WITH_TOKEN =
  /^a\.safetensors: the repository of .*\/org\/(missing|private)\/resolve\/main\/a\.safetensors does not exist, or it is private and the token has no access to it \(HTTP 404\)\. Check the URL, or use a token of an account that can see it\.$/;

describe('statusError (HF download answers from the fake hub)', () => {
  test("a missing repository without a token is AUTH_REQUIRED naming both cases, without the Hub's words about a password", async ({
    hub,
  }) => {
    const error = await errorOf(hub, 'org/missing', 'a.safetensors');
    expect(error).toMatchObject({
      code: 'AUTH_REQUIRED',
      message: expect.stringMatching(WITHOUT_TOKEN),
      details: {
        provider: 'huggingface',
        status: 401,
        accessUrl: `${hub.hfUrl}/org/missing`,
        serverMessage: 'Invalid username or password.',
      },
    });
  });

  test('a private repository without a token gets the same AUTH_REQUIRED', async ({ hub }) => {
    addPrivate(hub);
    expect(await errorOf(hub, 'org/private', 'a.safetensors')).toMatchObject({
      code: 'AUTH_REQUIRED',
      message: expect.stringMatching(WITHOUT_TOKEN),
    });
  });

  test('a missing repository with a valid token is NOT_FOUND RepoNotFound naming both cases', async ({ hub }) => {
    const error = await errorOf(hub, 'org/missing', 'a.safetensors', VALID);
    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(WITH_TOKEN),
      details: { provider: 'huggingface', status: 404, errorCode: 'RepoNotFound' },
    });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(VALID);
  });

  test('a private repository with a token lacking access gets the same NOT_FOUND', async ({ hub }) => {
    addPrivate(hub);
    expect(await errorOf(hub, 'org/private', 'a.safetensors', VALID)).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(WITH_TOKEN),
    });
  });

  test('a refused token is AUTH_REQUIRED "not accepted"; a missing file or revision is NOT_FOUND saying which', async ({
    hub,
  }) => {
    addPrivate(hub);
    expect(await errorOf(hub, 'org/private', 'a.safetensors', 'hf_revoked')).toMatchObject({
      code: 'AUTH_REQUIRED',
      message: expect.stringMatching(/token was not accepted \(invalid or expired\)/),
    });
    expect(await errorOf(hub, 'org/private', 'b.safetensors', 'hf_owner')).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(
        /^b\.safetensors: the repository has no such file at that revision: .* \(HTTP 404\)\./,
      ),
      details: { errorCode: 'EntryNotFound' },
    });
    const url = hub.resolveUrl('org/private', 'a.safetensors', { revision: 'nope' });
    const response = await fetch(url, { redirect: 'manual', headers: { Authorization: 'Bearer hf_owner' } });
    expect(
      await statusError({ response, url, provider: 'huggingface', sentToken: true, name: 'a.safetensors' }),
    ).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/no such branch, tag or commit/),
      details: { errorCode: 'RevisionNotFound' },
    });
  });
});
