import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import type { Served } from '../cli/spawn-serve';
import { connectRecording, type RecordingClient } from '../server/connect-recording';
import { makeServeSandbox, spawnSandboxedServe } from './sandboxed-serve';
import { findSecretsUnder, jobOf, secretForms, tempDir } from './security-fixture';

const ORIGIN = 'http://127.0.0.1:8188';

// Distinctive, so a hit can only be the token itself. HF_WRONG is valid at the hub but has no grant (403 path).
const HF_WRONG = 'hf_SecWrongToken0a1b2c3d4e5f';
const HF_GOOD = 'hf_SecGoodToken9z8y7x6w5v4u';
const HF_BODY = 'hf_SecBodyToken1q2w3e4r5t6y';
const CIVITAI = 'civitaiSecToken00aa11bb22cc33dd44ee';
// From the environment (CIVITAI_API_TOKEN): used by the check's look-ups and as a fallback.
const ENV_CIVITAI = 'civitaiEnvToken55ff66gg77hh88ii99';
// Pasted into workflow URLs: a `?token=` and a password in user info. Never used, never kept.
const URL_TOKEN = 'UrlPastedToken0x1y2z3w4v5u6t';
const URL_PASSWORD = 'UrlPasswordP4ssw0rdQ9r8s7';
const SECRETS = [HF_WRONG, HF_GOOD, HF_BODY, CIVITAI, ENV_CIVITAI, URL_TOKEN, URL_PASSWORD];

const MIB = 1024 * 1024;

function findIn(text: string, label: string): string[] {
  const data = Buffer.from(text);
  return SECRETS.filter((s) => secretForms(s).some((form) => data.includes(form))).map(
    (s) => `${label}: ${s.slice(0, 4)}…`,
  );
}

describe('tokens through the real sidecar (model-depot serve) and the fake hub', () => {
  let hub: FakeHub;
  let dir: string;
  let removeDir: () => Promise<void>;
  let served: Served;
  let asker: RecordingClient;
  let observer: RecordingClient;
  let httpAnswers = '';
  let exitCode: number | null = null;

  beforeAll(async () => {
    ({ dir, remove: removeDir } = await tempDir('depot-sec-leak-'));
    await makeServeSandbox(dir);
    hub = await createFakeHub({ hfTokens: [HF_WRONG], civitaiTokens: [ENV_CIVITAI] });
    hub.addRepo({
      id: 'sec/gated',
      gated: 'manual',
      tokensWithAccess: [HF_GOOD, HF_BODY],
      files: [
        { path: 'ws/gated-a.safetensors', size: 3 * MIB },
        { path: 'gated-b.safetensors', size: 2 * MIB },
      ],
    });
    hub.addCivitaiVersion({
      id: 777,
      requiresAuth: 'login',
      tokensWithAccess: [CIVITAI],
      files: [{ name: 'civ-style.safetensors', size: 2 * MIB }],
    });
    // Same key, no access to this one: its 403 becomes a failed job whose message every client sees.
    hub.addCivitaiVersion({
      id: 778,
      requiresAuth: 'early-access',
      files: [{ name: 'civ-early.safetensors', size: MIB }],
    });
    hub.addCivitaiVersion({ id: 779, files: [{ name: 'civ-public.safetensors', size: MIB }] });
    hub.addRepo({ id: 'sec/public', files: [{ path: 'public.safetensors', size: MIB }] });
    served = await spawnSandboxedServe(dir, hub, ENV_CIVITAI);
    const wsUrl = `${served.url.replace('http', 'ws')}/ws`;
    observer = await connectRecording(wsUrl, { origin: ORIGIN });
    asker = await connectRecording(wsUrl, { origin: ORIGIN });

    // A check first: the sidecar asks the hosts for what the workflow lacks, with no token of the person's.
    const workflow = {
      dependencies: {
        loras: [
          {
            filename: 'gated-a.safetensors',
            urls: ['https://huggingface.co/sec/gated/resolve/main/ws/gated-a.safetensors'],
          },
        ],
        checkpoints: [{ filename: 'civ-style.safetensors', urls: ['https://civitai.com/api/download/models/777'] }],
      },
    };
    asker.send({ type: 'check', id: 'c1', workflow });
    await asker.waitFor((m) => m.type === 'checkResult' || m.type === 'error');

    // HuggingFace over the WebSocket: authRequired, a wrong token (denied), then the right one.
    asker.send({
      type: 'install',
      id: 'i1',
      items: [
        {
          category: 'loras',
          filename: 'gated-a.safetensors',
          urls: ['https://huggingface.co/sec/gated/resolve/main/ws/gated-a.safetensors'],
          origin: 'dependencies',
        },
      ],
    });
    const asked = await asker.waitFor((m) => m.type === 'authRequired' || m.type === 'jobFailed');
    expect(asked, JSON.stringify(asked)).toMatchObject({ type: 'authRequired', reason: 'missing' });
    asker.send({ type: 'token', provider: 'huggingface', token: HF_WRONG });
    await asker.waitFor((m) => m.type === 'authRequired' && m.reason === 'denied');
    asker.send({ type: 'token', provider: 'huggingface', token: HF_GOOD });
    const hfDone = await observer.waitFor((m) => m.type === 'jobDone' || m.type === 'jobFailed');
    expect(jobOf(hfDone).state, JSON.stringify(hfDone)).toBe('complete');

    // HTTP body tokens: a gated HF file, a Civitai login-only version, and a Civitai version the key cannot open.
    const res = await fetch(`${served.url}/models/download`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({
        items: [
          {
            category: 'vae',
            filename: 'gated-b.safetensors',
            urls: ['https://huggingface.co/sec/gated/resolve/main/gated-b.safetensors'],
            origin: 'dependencies',
          },
          {
            category: 'checkpoints',
            filename: 'civ-style.safetensors',
            urls: ['https://civitai.com/api/download/models/777'],
            origin: 'dependencies',
          },
          {
            category: 'checkpoints',
            filename: 'civ-early.safetensors',
            urls: ['https://civitai.com/api/download/models/778'],
            origin: 'dependencies',
          },
          {
            category: 'loras',
            filename: 'civ-public.safetensors',
            urls: [`https://civitai.com/api/download/models/779?type=Model&token=${URL_TOKEN}`],
            origin: 'dependencies',
          },
          {
            category: 'loras',
            filename: 'public.safetensors',
            urls: [`https://user:${URL_PASSWORD}@huggingface.co/sec/public/resolve/main/public.safetensors`],
            origin: 'dependencies',
          },
        ],
        tokens: { huggingface: HF_BODY, civitai: CIVITAI },
      }),
    });
    httpAnswers += await res.text();
    expect(res.status, httpAnswers).toBe(202);
    const started = new Set<string>();
    for (const m of observer.messages)
      if (m.type === 'jobDone' || m.type === 'jobFailed') started.add(jobOf(m).id ?? '');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ended = observer.messages.filter((m) => m.type === 'jobDone' || m.type === 'jobFailed');
      if (ended.length >= 6) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // Refused bodies that carry tokens: the 400 names the field, never its value (nor quotes the body).
    const badBodies = [
      JSON.stringify({ items: 'x', tokens: { huggingface: HF_GOOD } }),
      JSON.stringify({
        items: [{ category: 'loras', filename: 'x.safetensors', origin: 'dependencies' }],
        tokens: { hf: HF_GOOD },
      }),
      JSON.stringify({
        items: [{ category: 'loras', filename: 'x.safetensors', origin: 'dependencies' }],
        tokens: { huggingface: HF_GOOD, civitai: 5 },
      }),
      `{"items":[],"tokens":{"huggingface":"${HF_GOOD}","civitai":"${CIVITAI}"`,
      `{"tokens":{"huggingface":${HF_GOOD}}}`,
    ];
    for (const body of badBodies) {
      const bad = await fetch(`${served.url}/models/download`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body,
      });
      expect(bad.status).toBe(400);
      httpAnswers += await bad.text();
    }
    for (const route of ['/models/jobs', '/models', '/models/stats', '/health']) {
      httpAnswers += await (await fetch(`${served.url}${route}`)).text();
    }
    await asker.close();
    await observer.close();
    served.child.kill('SIGTERM');
    exitCode = await served.exited;
  }, 60_000);

  afterAll(async () => {
    if (served && served.child.exitCode === null) served.child.kill('SIGKILL');
    await hub?.close();
    await removeDir?.();
  });

  it('finishes the gated HuggingFace and Civitai downloads with the tokens, and fails the one the key cannot open', () => {
    const ends = observer.messages.filter((m) => m.type === 'jobDone' || m.type === 'jobFailed').map(jobOf);
    expect(ends).toHaveLength(6);
    // gated-a (WS token), gated-b (body token), civ-style (body key).
    expect(ends.filter((j) => j.state === 'complete').length, JSON.stringify(ends)).toBeGreaterThanOrEqual(3);
    // civ-public's pasted ?token= is refused, not used or dropped: tokens belong in the token settings.
    expect(ends.filter((j) => j.state === 'failed' && /token settings/.test(j.message ?? ''))).toHaveLength(1);
    expect(ends.filter((j) => j.code === 'AUTH_DENIED')).toHaveLength(1);
    expect(exitCode).toBe(0);
    // The real CLI on its first-run config: bound to loopback only.
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('writes no token into any file (content, name or link) under the models, config, temp, home and HF cache dirs', async () => {
    const { hits, files, bytes } = await findSecretsUnder(dir, SECRETS);
    expect(hits).toEqual([]);
    // The search did read the models (7 MiB), the registry, the metadata cache and the config.
    const names = files.map((f) => path.relative(dir, f));
    expect(names).toEqual(
      expect.arrayContaining([
        path.join('config', 'config.json'),
        path.join('models', '.registry', 'models.json'),
        path.join('models', 'loras', 'gated-a.safetensors'),
        path.join('models', 'checkpoints', 'civ-style.safetensors'),
      ]),
    );
    expect(bytes).toBeGreaterThanOrEqual(7 * MIB);
  });

  it('prints no token on stdout or stderr, and sends none in any HTTP answer', () => {
    expect(served.stderr()).toMatch(/job done/);
    expect([
      ...findIn(served.stdout(), 'stdout'),
      ...findIn(served.stderr(), 'stderr'),
      ...findIn(httpAnswers, 'http'),
    ]).toEqual([]);
  });

  it('sends no token in any WebSocket frame, to the asking client or to a second one', () => {
    expect(observer.frames.length).toBeGreaterThan(5);
    expect(observer.frames.some((f) => f.includes('"progress"'))).toBe(true);
    const hits = [
      ...observer.frames.flatMap((f, i) => findIn(f, `observer frame ${i}`)),
      ...asker.frames.flatMap((f, i) => findIn(f, `asker frame ${i}`)),
    ];
    expect(hits).toEqual([]);
  });

  it('sent tokens only to the HuggingFace and Civitai hosts, never to the CDN or the storage host', () => {
    const withToken = hub.requests.filter((r) => r.hasAuthorization || r.hasTokenQuery);
    expect(withToken.length).toBeGreaterThan(0);
    expect(new Set(withToken.map((r) => r.server))).toEqual(new Set(['hf', 'civitai']));
    const cdnAndStorage = hub.requests.filter((r) => r.server === 'cdn' || r.server === 'storage');
    expect(new Set(cdnAndStorage.map((r) => r.server))).toEqual(new Set(['cdn', 'storage']));
    expect(cdnAndStorage.filter((r) => r.hasAuthorization || r.hasTokenQuery)).toEqual([]);
    // A `?token=` pasted into a workflow URL is dropped before fetching: the hub never saw one in a query.
    expect(hub.requests.filter((r) => r.hasTokenQuery)).toEqual([]);
  });
});
