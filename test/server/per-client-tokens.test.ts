import { describe, expect } from 'vitest';
import type { Job } from '../../shared/job';
import { tokenHash } from '../fake-hub/request-log';
import { postJson, connectWs, test } from './sidecar-fixture';

const REPO = 'gated/family';
const SIZE = 256 * 1024 + 3;
const TOKENS = { one: 'hf_client_one_0123456789', two: 'hf_client_two_0123456789', http: 'hf_http_caller_012345' };
const FILES = { one: 'one.safetensors', two: 'two.safetensors', http: 'http.safetensors', bare: 'bare.safetensors' };

function item(url: string, filename: string) {
  return { category: 'loras', filename, urls: [url], origin: 'dependencies' };
}

describe('tokens belong to the client that gave them', () => {
  test('two WebSocket clients and two HTTP callers: each token reaches only its own client’s requests at the hub', async ({
    hub,
    server,
    depot,
  }) => {
    // Every token has access to every file: a token used for another client's job would succeed silently, so the
    // hub's log (which token hash reached which file) is what tells.
    hub.addRepo({
      id: REPO,
      gated: 'manual',
      tokensWithAccess: Object.values(TOKENS),
      files: Object.values(FILES).map((path) => ({ path, size: SIZE })),
    });
    const url = (file: string) => hub.resolveUrl(REPO, file);
    const one = await connectWs(server);
    const two = await connectWs(server);

    one.send({ type: 'install', id: 'i1', items: [item(url(FILES.one), FILES.one)] });
    two.send({ type: 'install', id: 'i2', items: [item(url(FILES.two), FILES.two)] });
    const authOne = await one.waitFor((m) => m.type === 'authRequired');
    const authTwo = await two.waitFor((m) => m.type === 'authRequired');

    // Client one answers while client two's job still waits: two's job must not move.
    one.send({ type: 'token', provider: 'huggingface', token: TOKENS.one });
    const [doneOne] = await depot.settled(authOne.jobIds as string[]);
    expect(doneOne).toMatchObject({ state: 'complete' });
    expect(depot.job((authTwo.jobIds as string[])[0] ?? '')?.state).toBe('waiting-for-token');

    // An HTTP caller brings its own token; a second one brings none and must not borrow it.
    const withToken = await postJson(server, '/models/download', {
      items: [item(url(FILES.http), FILES.http)],
      tokens: { huggingface: TOKENS.http },
    });
    const bare = await postJson(server, '/models/download', { items: [item(url(FILES.bare), FILES.bare)] });
    expect(withToken.status, withToken.text).toBe(202);
    expect(bare.status, bare.text).toBe(202);
    const httpJobs = [...(withToken.json as { jobs: Job[] }).jobs, ...(bare.json as { jobs: Job[] }).jobs];
    const [doneHttp, doneBare] = await depot.settled(httpJobs.map((j) => j.id));
    expect(doneHttp).toMatchObject({ state: 'complete' });
    expect(doneBare).toMatchObject({ state: 'failed', error: { code: 'AUTH_REQUIRED' } });
    expect(depot.job((authTwo.jobIds as string[])[0] ?? '')?.state).toBe('waiting-for-token');

    two.send({ type: 'token', provider: 'huggingface', token: TOKENS.two });
    const [doneTwo] = await depot.settled(authTwo.jobIds as string[]);
    expect(doneTwo).toMatchObject({ state: 'complete' });

    const owners = new Map([
      [tokenHash(TOKENS.one), FILES.one],
      [tokenHash(TOKENS.two), FILES.two],
      [tokenHash(TOKENS.http), FILES.http],
    ]);
    const signed = hub.requests.filter((r) => r.tokenHash !== undefined);
    const reached = signed.map((r) => `${owners.get(r.tokenHash ?? '') ?? 'unknown token'} -> ${r.file}`);
    expect(new Set(reached)).toEqual(new Set([FILES.one, FILES.two, FILES.http].map((f) => `${f} -> ${f}`)));
    // The token-less caller's file was asked for without any token, and only so.
    const bareRequests = hub.requests.filter((r) => r.file === FILES.bare);
    expect(bareRequests.length).toBeGreaterThan(0);
    expect(bareRequests.every((r) => r.tokenHash === undefined)).toBe(true);
    await one.close();
    await two.close();
  });

  test('a job for the same gated file as another client’s running download is not served through that client’s token', async ({
    hub,
    server,
    depot,
  }) => {
    hub.addRepo({
      id: REPO,
      gated: 'manual',
      tokensWithAccess: Object.values(TOKENS),
      files: [{ path: FILES.one, size: SIZE }],
    });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: FILES.one });
    // Slow enough that client two's job arrives while client one's transfer still runs.
    hub.setFault({ kind: 'slow', bytesPerSecond: 256 * 1024, server: 'cdn' });
    const url = hub.resolveUrl(REPO, FILES.one);
    const one = await connectWs(server);
    const two = await connectWs(server);
    one.send({ type: 'install', id: 'i1', items: [{ ...item(url, FILES.one), sha256, size: SIZE }] });
    const authOne = await one.waitFor((m) => m.type === 'authRequired');
    one.send({ type: 'token', provider: 'huggingface', token: TOKENS.one });
    await one.waitFor(
      (m) => m.type === 'progress' && (m.job as Job).state === 'downloading' && (m.job as Job).bytes > 0,
    );

    two.send({ type: 'install', id: 'i2', items: [{ ...item(url, 'copy.safetensors'), sha256, size: SIZE }] });
    const authTwo = await two.waitFor((m) => m.type === 'authRequired');
    two.send({ type: 'token', provider: 'huggingface', token: TOKENS.two });
    const jobs = await depot.settled([...(authOne.jobIds as string[]), ...(authTwo.jobIds as string[])]);
    expect(jobs.map((j) => j.state)).toEqual(['complete', 'complete']);
    const hashes = new Set(hub.requests.filter((r) => r.server === 'hf').map((r) => r.tokenHash));
    expect(hashes).toEqual(new Set([undefined, tokenHash(TOKENS.one), tokenHash(TOKENS.two)]));
    await one.close();
    await two.close();
  });
});
