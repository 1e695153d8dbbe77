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

    const isMine = (type: string) => (m: Record<string, unknown>) =>
      m.type === type && (m.job as Job | undefined)?.id === jobId;
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

  test('asks only the starting client for a token, resumes with it, and no frame carries the token', async ({
    hub,
    server,
  }) => {
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
    expect(auth).toMatchObject({
      provider: 'huggingface',
      reason: 'missing',
      filenames: [FILE],
      tokenUrl: expect.stringMatching(/settings\/tokens/),
    });
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
    hub.addRepo({
      id: 'gated/model',
      gated: 'manual',
      tokensWithAccess: ['hf_x_secret'],
      files: [{ path: FILE, size: SIZE }],
    });
    const one = await connectWs(server);
    one.send({
      type: 'install',
      id: 'i',
      items: [
        {
          category: 'checkpoints',
          filename: FILE,
          urls: [hub.resolveUrl('gated/model', FILE)],
          origin: 'dependencies',
        },
      ],
    });
    const auth = await one.waitFor((m) => m.type === 'authRequired');
    one.send({ type: 'cancel', provider: 'huggingface' });
    const failed = await one.waitFor((m) => m.type === 'jobFailed');
    expect(failed.job).toMatchObject({
      id: (auth.jobIds as string[])[0],
      state: 'failed',
      error: { code: 'CANCELLED', message: 'cancelled: no token given' },
    });
    one.close();
  });

  test('a client that goes away leaves no job waiting for its token forever', async ({ hub, server, depot }) => {
    hub.addRepo({
      id: 'gated/model',
      gated: 'manual',
      tokensWithAccess: ['hf_someone'],
      files: [{ path: FILE, size: SIZE }],
    });
    const one = await connectWs(server);
    one.send({
      type: 'install',
      id: 'i',
      items: [
        { category: 'loras', filename: FILE, urls: [hub.resolveUrl('gated/model', FILE)], origin: 'dependencies' },
      ],
    });
    const auth = await one.waitFor((m) => m.type === 'authRequired');
    one.close();
    const [done] = await depot.settled(auth.jobIds as string[]);
    expect(done).toMatchObject({ state: 'failed', error: { code: 'CANCELLED' } });
  });

  test('checks without asking the hosts when told, and forgets their cached answers on resetMetadataCache', async ({
    hub,
    server,
  }) => {
    hub.addRepo({ id: REPO, files: [{ path: FILE, size: SIZE }] });
    const one = await connectWs(server);
    await one.waitFor((m) => m.type === 'hello');
    const unhashed = { checkpoints: [{ filename: FILE, urls: [hub.resolveUrl(REPO, FILE)] }] };
    const check = async (id: string, extra: Record<string, unknown> = {}) => {
      one.send({ type: 'check', id, dependencies: unhashed, ...extra });
      const answer = await one.waitFor((m) => m.type === 'checkResult' && m.id === id);
      return (answer.result as { items: Array<{ size?: number }> }).items[0];
    };
    const asked = () => hub.requests.filter((r) => r.server === 'hf').length;

    expect(await check('first')).toMatchObject({ size: SIZE });
    const afterFirst = asked();
    expect(afterFirst).toBeGreaterThan(0);
    expect(await check('cached')).toMatchObject({ size: SIZE });
    expect((await check('offline', { remote: false }))?.size).toBeUndefined();
    expect(asked()).toBe(afterFirst);

    one.send({ type: 'resetMetadataCache', id: 'r' });
    await one.waitFor((m) => m.type === 'metadataCacheReset' && m.id === 'r');
    expect(await check('again')).toMatchObject({ size: SIZE });
    expect(asked()).toBeGreaterThan(afterFirst);
    one.close();
  });

  test('answers 1,000 random or malformed messages with errors, one each, and stays healthy', async ({ server }) => {
    const one = await connectWs(server);
    await one.waitFor((m) => m.type === 'hello');
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const types = ['check', 'install', 'token', 'cancel', 'setLimit', 'hello', 'nope', 7, null];
    const junk = (i: number): string | Buffer => {
      switch (i % 6) {
        case 0:
          return Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
        case 1:
          return Array.from({ length: Math.floor(random() * 40) }, () =>
            String.fromCharCode(32 + Math.floor(random() * 90)),
          ).join('');
        case 2:
          return JSON.stringify({
            type: types[Math.floor(random() * types.length)],
            id: random() > 0.5 ? 5 : undefined,
            items: 'x',
          });
        case 3:
          return JSON.stringify({ type: 'token', provider: 'huggingface', token: '' });
        case 4:
          return JSON.stringify({
            type: 'install',
            id: `i${i}`,
            items: [{ category: 'loras', filename: '../x.safetensors', origin: 'dependencies' }],
          });
        default:
          return JSON.stringify([random(), { type: 'check' }]);
      }
    };
    for (let i = 0; i < 1000; i++) {
      const message = junk(i);
      one.ws.send(message, { binary: Buffer.isBuffer(message) });
    }
    const deadline = Date.now() + 20_000;
    // A hostile install name is answered with installStarted and a job that fails at once (unsafe path).
    const answers = () => one.messages.filter((m) => m.type === 'error' || m.type === 'installStarted').length;
    while (answers() < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(answers()).toBe(1000);
    const failed = one.messages.filter((m) => m.type === 'jobFailed' && (m.job as Job).error?.code === 'UNSAFE_PATH');
    expect(failed.length).toBe(one.messages.filter((m) => m.type === 'installStarted').length);
    expect(one.ws.readyState).toBe(one.ws.OPEN);
    one.send({ type: 'check', id: 'ok', dependencies: {} });
    await one.waitFor((m) => m.type === 'checkResult' && m.id === 'ok');
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    one.close();
  });
});
