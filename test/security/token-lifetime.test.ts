import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test as base } from 'vitest';
import { TERMINAL_JOB_STATES } from '../../shared/job';
import { systemClock, type Clock } from '../../sidecar/runtime/clock';
import { createServer, type DepotServer } from '../../sidecar/server/create-server';
import { createDepot, type Depot } from '../../sidecar/services/depot/create-depot';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { connectRecording, type RecordingClient } from '../server/connect-recording';
import { createLogger } from '../../sidecar/runtime/logger';
import { jobOf, tempDir } from './security-fixture';
import { fakeHubDepotOptions } from '../services/fake-hub-depot-options';

const TOKEN = 'hf_LifetimeToken5k4j3h2g1f0d';
const CIVITAI_KEY = 'civitaiLifetimeKey99887766554433';
// Shaped like no known token (no hf_ prefix, no token= around it): only the logger's secrets list can catch it.
const PLAIN = 'PlainLifetimeKey0f1e2d3c4b5a69788';
const MIB = 1024 * 1024;
const HOUR = 60 * 60 * 1000;

/** Real sleeps (downloads, stall watch), but `now()` can be moved forward: the vault's hour passes in a moment. */
class JumpClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
}

interface Sidecar {
  hub: FakeHub;
  clock: JumpClock;
  depot: Depot;
  server: DepotServer;
  connect(): Promise<RecordingClient>;
}

const test = base.extend<{ sidecar: Sidecar }>({
  // eslint-disable-next-line no-empty-pattern
  sidecar: async ({}, use) => {
    const { dir, remove } = await tempDir('depot-sec-vault-');
    const hub = await createFakeHub();
    hub.addRepo({
      id: 'vault/gated',
      gated: 'manual',
      tokensWithAccess: [TOKEN, PLAIN],
      files: ['a', 'b', 'c', 'd']
        .map((n) => ({ path: `${n}.safetensors`, size: MIB }))
        .concat([{ path: 'big.safetensors', size: 64 * MIB }]),
    });
    const clock = new JumpClock();
    await mkdir(path.join(dir, 'models'));
    const depot = await createDepot({ modelsRoot: path.join(dir, 'models'), ...fakeHubDepotOptions(hub), clock });
    const server = await createServer({ depot, port: 0, version: 'test', progressIntervalMs: 20 });
    const clients: RecordingClient[] = [];
    await use({
      hub,
      clock,
      depot,
      server,
      async connect() {
        const client = await connectRecording(`${server.url.replace('http', 'ws')}/ws`);
        clients.push(client);
        return client;
      },
    });
    for (const c of clients) await c.close();
    for (const job of depot.jobs()) depot.cancel(job.id);
    await server.close();
    await depot.close();
    await hub.close();
    await remove();
  },
});

const item = (name: string, category = 'loras') => ({
  category,
  filename: `${name}.safetensors`,
  urls: [`https://huggingface.co/vault/gated/resolve/main/${name}.safetensors`],
  origin: 'dependencies' as const,
});

/** Installs one gated file over the WebSocket; resolves with the job id and whether a token was asked for. */
async function install(client: RecordingClient, name: string): Promise<string> {
  const id = `install-${name}`;
  client.send({ type: 'install', id, items: [item(name)] });
  const started = await client.waitFor((m) => m.type === 'installStarted' && m.id === id);
  const jobs = started.jobs;
  const first: unknown = Array.isArray(jobs) ? jobs[0] : undefined;
  const jobId =
    typeof first === 'object' && first !== null && 'id' in first && typeof first.id === 'string' ? first.id : '';
  expect(jobId).not.toBe('');
  return jobId;
}

/** The end of a job (jobDone/jobFailed) or an authRequired naming it, whichever comes first. */
function outcome(client: RecordingClient, jobId: string): Promise<Record<string, unknown>> {
  return client.waitFor(
    (m) =>
      ((m.type === 'jobDone' || m.type === 'jobFailed') && jobOf(m).id === jobId) ||
      (m.type === 'authRequired' && Array.isArray(m.jobIds) && m.jobIds.includes(jobId)),
  );
}

/** Polls until the server lists no given token (its 1 s linger after the last job included). */
async function untilNoHeldTokens(server: DepotServer): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  while (server.heldTokens().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return server.heldTokens();
}

function authorizedRequestsFor(hub: FakeHub, file: string): number {
  return hub.requests.filter((r) => r.file === file && r.hasAuthorization).length;
}

describe('the token vault, through the depot and its WebSocket', () => {
  test('a token given for a job is gone when that job ends: the next gated install asks again', async ({ sidecar }) => {
    const client = await sidecar.connect();
    const a = await install(client, 'a');
    expect(await outcome(client, a)).toMatchObject({ type: 'authRequired', reason: 'missing' });
    client.send({ type: 'token', provider: 'huggingface', token: TOKEN });
    expect(jobOf(await client.waitFor((m) => m.type === 'jobDone' && jobOf(m).id === a)).state).toBe('complete');
    expect(authorizedRequestsFor(sidecar.hub, 'a.safetensors')).toBeGreaterThan(0);

    const b = await install(client, 'b');
    expect(await outcome(client, b)).toMatchObject({ type: 'authRequired', reason: 'missing' });
    expect(authorizedRequestsFor(sidecar.hub, 'b.safetensors')).toBe(0);
  });

  test('a token from an HTTP body is gone when its jobs end: the same install without it fails AUTH_REQUIRED', async ({
    sidecar,
  }) => {
    const post = (body: unknown) =>
      fetch(`${sidecar.server.url}/models/download`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await post({ items: [item('c')], tokens: { huggingface: TOKEN, civitai: CIVITAI_KEY } });
    expect(first.status).toBe(202);
    const [c] = await sidecar.depot.settled();
    expect(c?.state).toBe('complete');
    const second = await post({ items: [item('d')] });
    expect(second.status).toBe(202);
    const ends = await sidecar.depot.settled();
    expect(ends.find((j) => j.filename === 'd.safetensors')).toMatchObject({
      state: 'failed',
      error: { code: 'AUTH_REQUIRED' },
    });
    expect(authorizedRequestsFor(sidecar.hub, 'd.safetensors')).toBe(0);
    expect(await untilNoHeldTokens(sidecar.server)).toEqual([]);
  });

  test('a token sent while no job waits is not kept: the gated install that follows asks for one', async ({
    sidecar,
  }) => {
    const client = await sidecar.connect();
    client.send({ type: 'token', provider: 'huggingface', token: TOKEN });
    const a = await install(client, 'a');
    // Messages are handled in order: the token was handled before the install started.
    expect(sidecar.server.heldTokens()).toEqual([]);
    expect(await outcome(client, a)).toMatchObject({ type: 'authRequired', reason: 'missing' });
    expect(authorizedRequestsFor(sidecar.hub, 'a.safetensors')).toBe(0);

    // A token for HuggingFace while only a HuggingFace job of this client waits is used; one for Civitai is not kept.
    client.send({ type: 'token', provider: 'civitai', token: CIVITAI_KEY });
    client.send({ type: 'token', provider: 'huggingface', token: TOKEN });
    expect(jobOf(await client.waitFor((m) => m.type === 'jobDone' && jobOf(m).id === a)).state).toBe('complete');
    expect(sidecar.server.heldTokens()).not.toContain(CIVITAI_KEY);
  });

  test("lists a client's token for the logger while its job runs, and no longer once the job ended", async ({
    sidecar,
  }) => {
    const { hub, server } = sidecar;
    hub.setFault({ kind: 'slow', bytesPerSecond: 256 * 1024, file: 'big.safetensors' });
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), secrets: () => server.heldTokens() });
    const client = await sidecar.connect();
    const big = await install(client, 'big');
    expect(await outcome(client, big)).toMatchObject({ type: 'authRequired' });
    client.send({ type: 'token', provider: 'huggingface', token: PLAIN });
    const deadline = Date.now() + 10_000;
    while (server.heldTokens().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(server.heldTokens()).toEqual([PLAIN]);
    // The job runs on with the token (the slow hub keeps it running); the list holds it that long.
    await new Promise((r) => setTimeout(r, 200));
    expect(sidecar.depot.job(big)?.state).toBe('downloading');
    expect(server.heldTokens()).toEqual([PLAIN]);
    logger.warn('odd upstream answer', {
      body: `echo ${PLAIN} from upstream`,
      url: `https://cdn.example/x?note=${PLAIN}`,
    });
    expect(lines).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(PLAIN);

    client.send({ type: 'cancel', jobId: big });
    await client.waitFor((m) => m.type === 'jobFailed' && jobOf(m).id === big);
    expect(await untilNoHeldTokens(server)).toEqual([]);
  });

  test('a token whose job never ends is gone after one hour (injected clock), while that job still runs', async ({
    sidecar,
  }) => {
    const { hub, clock, depot } = sidecar;
    // The big download crawls, so its job outlives the hour.
    hub.setFault({ kind: 'slow', bytesPerSecond: 256 * 1024, file: 'big.safetensors' });
    const client = await sidecar.connect();
    const big = await install(client, 'big');
    expect(await outcome(client, big)).toMatchObject({ type: 'authRequired' });
    client.send({ type: 'token', provider: 'huggingface', token: TOKEN });
    await client.waitFor(
      (m) =>
        m.type === 'progress' &&
        jobOf(m).id === big &&
        Number(m.job && typeof m.job === 'object' && 'bytes' in m.job ? m.job.bytes : 0) > 0,
    );

    // Within the hour the running job keeps the token alive: another gated file of this client uses it unasked.
    clock.offset += 59 * 60 * 1000;
    const a = await install(client, 'a');
    expect(await outcome(client, a)).toMatchObject({ type: 'jobDone' });
    expect(authorizedRequestsFor(hub, 'a.safetensors')).toBeGreaterThan(0);

    clock.offset += HOUR - 59 * 60 * 1000 + 1;
    const b = await install(client, 'b');
    expect(await outcome(client, b)).toMatchObject({ type: 'authRequired', reason: 'missing' });
    expect(authorizedRequestsFor(hub, 'b.safetensors')).toBe(0);
    const state = depot.job(big)?.state;
    expect(state !== undefined && !TERMINAL_JOB_STATES.has(state), `big job is ${state}`).toBe(true);
  });
});
