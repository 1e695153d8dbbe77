import { describe, expect } from 'vitest';
import type { HfTreeEntry } from '../../../sidecar/remote/hub/hub-schemas';
import { hfFileInfo } from '../../../sidecar/remote/hub/hf-file-info';
import { hfListTree } from '../../../sidecar/remote/hub/hf-list-tree';
import { hfRepoInfo } from '../../../sidecar/remote/hub/hf-repo-info';
import { test } from '../../fake-hub/fake-hub-fixture';
import type { FakeHub } from '../../fake-hub/create-fake-hub';

const VALID = 'hf_valid_without_grant';

async function drain(entries: AsyncIterable<HfTreeEntry>): Promise<void> {
  for await (const entry of entries) void entry;
}

/** The same repository asked through each HF client: repository info, tree listing, HEAD on a file. */
function* askEveryClient(hub: FakeHub, repoId: string, token?: string): Generator<Promise<unknown>> {
  const common = { repoId, hubUrl: hub.hfUrl, retry: { limit: 0 }, ...(token === undefined ? {} : { token }) };
  // Lazily, one at a time: each is awaited before the next starts, so no rejection is ever left unhandled.
  yield hfRepoInfo(common);
  yield drain(hfListTree(common));
  yield hfFileInfo({ ...common, path: 'a.safetensors' });
}

function addPrivate(hub: FakeHub): void {
  hub.addRepo({
    id: 'org/private',
    private: true,
    tokensWithAccess: ['hf_owner'],
    files: [{ path: 'a.safetensors', size: 10 }],
  });
}

const BOTH_WITHOUT_TOKEN =
  /^org\/(missing|private)(\/a\.safetensors)?: the repository does not exist, or it is private and needs a HuggingFace token \(HTTP 401\)\. Check the repository id and type, or give a token with read access\.$/;
const BOTH_WITH_TOKEN =
  /^org\/(missing|private)(\/a\.safetensors)?: the repository does not exist, or it is private and the HuggingFace token has no access to it \(HTTP 404\)\. Check the repository id and type, or use a token of an account that can see it\.$/;

describe('hfHttpError (through the HF clients, on the fake hub)', () => {
  test('a missing repository without a token is AUTH_REQUIRED, naming both a missing and a private repository', async ({
    hub,
  }) => {
    for (const asked of askEveryClient(hub, 'org/missing')) {
      await expect(asked).rejects.toMatchObject({
        code: 'AUTH_REQUIRED',
        message: expect.stringMatching(BOTH_WITHOUT_TOKEN),
        details: { provider: 'huggingface', status: 401, accessUrl: `${hub.hfUrl}/org/missing` },
      });
    }
  });

  test('a private repository without a token gets the same AUTH_REQUIRED (the Hub answers both alike)', async ({
    hub,
  }) => {
    addPrivate(hub);
    for (const asked of askEveryClient(hub, 'org/private')) {
      await expect(asked).rejects.toMatchObject({
        code: 'AUTH_REQUIRED',
        message: expect.stringMatching(BOTH_WITHOUT_TOKEN),
        details: { status: 401 },
      });
    }
  });

  test('a missing repository with a valid token is NOT_FOUND with errorCode RepoNotFound, not a bad revision', async ({
    hub,
  }) => {
    for (const asked of askEveryClient(hub, 'org/missing', VALID)) {
      const error: unknown = await asked.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(BOTH_WITH_TOKEN),
        details: { status: 404, errorCode: 'RepoNotFound' },
      });
      expect(String(error)).not.toContain(VALID);
    }
  });

  test('a private repository with a token lacking access gets the same NOT_FOUND, and the granted token works', async ({
    hub,
  }) => {
    addPrivate(hub);
    for (const asked of askEveryClient(hub, 'org/private', VALID)) {
      await expect(asked).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(BOTH_WITH_TOKEN),
        details: { errorCode: 'RepoNotFound' },
      });
    }
    for (const asked of askEveryClient(hub, 'org/private', 'hf_owner')) await expect(asked).resolves.not.toBeNull();
  });

  test('an unknown token is AUTH_REQUIRED saying the token was not accepted, even for a missing repository', async ({
    hub,
  }) => {
    for (const asked of askEveryClient(hub, 'org/missing', 'hf_revoked_token')) {
      await expect(asked).rejects.toMatchObject({
        code: 'AUTH_REQUIRED',
        message: expect.stringMatching(
          /: the HuggingFace token was not accepted \(invalid or expired\) \(HTTP 401\)\. Give a valid token/,
        ),
      });
    }
  });
});
