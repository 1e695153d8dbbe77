import { describe, expect } from 'vitest';
import type { Job } from '../../shared/job';
import { connectWs, test } from './sidecar-fixture';

const REPO = 'org/model';
const FILE = 'model.safetensors';
const SIZE = 2 * 1024 * 1024;

function dependencies(filename: string, sha256: string | undefined, url: string) {
  return { checkpoints: [{ filename, ...(sha256 ? { sha256 } : {}), size: SIZE, urls: [url] }] };
}

describe('WebSocket hub', () => {
  test('two clients both receive the progress of a job one of them started', async ({ hub, server }) => {
    hub.addRepo({ id: REPO, files: [{ path: FILE, size: SIZE }] });
    hub.setFault({ kind: 'slow', bytesPerSecond: 2 * 1024 * 1024 });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: FILE });
    const one = await connectWs(server);
    const two = await connectWs(server, { origin: 'http://localhost:8188' });
    await one.waitFor((m) => m.type === 'hello');
    await two.waitFor((m) => m.type === 'hello');

    one.send({ type: 'check', id: 'c1', dependencies: dependencies(FILE, sha256, hub.resolveUrl(REPO, FILE)) });
    const checked = await one.waitFor((m) => m.type === 'checkResult' && m.id === 'c1');
    const result = checked.result as { items: Array<{ status: string; requirement: unknown }> };
    expect(result.items[0]?.status).toBe('missing');
    one.send({ type: 'install', id: 'i1', items: result.items.map((i) => i.requirement) });
    const started = await one.waitFor((m) => m.type === 'installStarted' && m.id === 'i1');
    const jobId = (started.jobs as Job[])[0]?.id;

    const isMine = (type: string) => (m: Record<string, unknown>) => m.type === type && (m.job as Job | undefined)?.id === jobId;
    await two.waitFor(isMine('progress'));
    const done = await two.waitFor(isMine('jobDone'));
    await one.waitFor(isMine('jobDone'));
    expect(done.job).toMatchObject({ state: 'complete', bytes: SIZE });
    const progressTwo = two.messages.filter(isMine('progress')).map((m) => (m.job as Job).bytes);
    expect(progressTwo.some((bytes) => bytes > 0 && bytes < SIZE)).toBe(true);
    // Throttled: a 1 s download at 50 ms per message, never hundreds.
    expect(progressTwo.length).toBeLessThan(60);
    expect(two.messages.some((m) => m.type === 'installStarted')).toBe(false);
    one.close();
    two.close();
  });

  test('asks only the starting client for a token, resumes with it, and no frame carries the token', async ({ hub, server }) => {
    const TOKEN = 'hf_goodtoken_0123456789';
    hub.addRepo({ id: 'gated/model', gated: 'manual', tokensWithAccess: [TOKEN], files: [{ path: FILE, size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: 'gated/model', path: FILE });
    const one = await connectWs(server);
    const two = await connectWs(server);
    const deps = dependencies(FILE, sha256, hub.resolveUrl('gated/model', FILE));
    one.send({ type: 'check', id: 'c', dependencies: deps });
    const checked = await one.waitFor((m) => m.type === 'checkResult');
    const items = (checked.result as { items: Array<{ requirement: unknown }> }).items.map((i) => i.requirement);
    one.send({ type: 'install', id: 'i', items });
    const auth = await one.waitFor((m) => m.type === 'authRequired');
    expect(auth).toMatchObject({ provider: 'huggingface', reason: 'missing', filenames: [FILE], tokenUrl: expect.stringMatching(/settings\/tokens/) });
    const jobId = (auth.jobIds as string[])[0];
    await two.waitFor((m) => m.type === 'progress' && (m.job as Job).state === 'waiting-for-token');
    one.send({ type: 'token', provider: 'huggingface', token: TOKEN });
    const done = await two.waitFor((m) => m.type === 'jobDone' && (m.job as Job).id === jobId);
    expect(done.job).toMatchObject({ state: 'complete' });
    expect(two.messages.some((m) => m.type === 'authRequired')).toBe(false);
    for (const client of [one, two]) expect(JSON.stringify(client.messages)).not.toContain(TOKEN);
    // The token reached only the Hub itself, never the CDN.
    const withAuth = hub.requests.filter((r) => r.hasAuthorization);
    expect(withAuth.length).toBeGreaterThan(0);
    expect(withAuth.every((r) => r.server === 'hf')).toBe(true);
    one.close();
    two.close();
  });

  test('cancelling the token dialog fails the waiting jobs with a clear state', async ({ hub, server }) => {
    hub.addRepo({ id: 'gated/model', gated: 'manual', tokensWithAccess: ['hf_x_secret'], files: [{ path: FILE, size: SIZE }] });
    const one = await connectWs(server);
    one.send({ type: 'install', id: 'i', items: [{ category: 'checkpoints', filename: FILE, urls: [hub.resolveUrl('gated/model', FILE)], origin: 'dependencies' }] });
    const auth = await one.waitFor((m) => m.type === 'authRequired');
    one.send({ type: 'cancel', provider: 'huggingface' });
    const failed = await one.waitFor((m) => m.type === 'jobFailed');
    expect(failed.job).toMatchObject({ id: (auth.jobIds as string[])[0], state: 'failed', error: { code: 'CANCELLED', message: 'cancelled: no token given' } });
    one.close();
  });

  test('answers 200 malformed messages with errors and stays up', async ({ server }) => {
    const one = await connectWs(server);
    await one.waitFor((m) => m.type === 'hello');
    const junk = ['', '{', '[]', 'null', '"x"', '{"type":1}', '{"type":"token","provider":"nope","token":"a"}', '{"type":"check"}', '{"type":"setLimit","kbps":-1}'];
    for (let i = 0; i < 200; i++) one.send(junk[i % junk.length] ?? '');
    const deadline = Date.now() + 10_000;
    while (one.messages.filter((m) => m.type === 'error').length < 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(one.messages.filter((m) => m.type === 'error')).toHaveLength(200);
    expect(one.ws.readyState).toBe(one.ws.OPEN);
    one.send({ type: 'check', id: 'ok', dependencies: {} });
    await one.waitFor((m) => m.type === 'checkResult' && m.id === 'ok');
    one.close();
  });
});
