import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServer, type DepotServer } from '../../sidecar/server/create-server';
import { createDepot, type Depot } from '../../sidecar/services/depot/create-depot';
import { connectRecording } from '../server/connect-recording';
import { tempDir } from './security-fixture';

/** Small on purpose: messages over it are cheap to make, and over it + 1 MiB ws closes the socket (1009). */
const MAX_MESSAGE_BYTES = 256 * 1024;
const FUZZ_TOKEN = 'hf_FuzzTokenMustNeverComeBack123';

/** mulberry32: a tiny seeded PRNG, so a failing message can be reproduced from its index. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fuzz {
  /** Text (a text frame) or bytes (a binary frame). */
  data: string | Buffer;
  /** The id the error answer must carry, when the message has a usable one. */
  id?: string;
  kind: string;
}

function deep(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** Message `i` of the run: every one is something a correct sidecar answers with an `error`. */
function makeFuzz(i: number, random: () => number): Fuzz {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const text = (n: number, from = 32, span = 95): string =>
    Array.from({ length: n }, () => String.fromCharCode(from + Math.floor(random() * span))).join('');
  const id = `f${i}`;
  // The error answer carries the message's id when it is a usable one (a string of at most 200 characters).
  const json = (value: unknown, kind: string): Fuzz => {
    const given: unknown = typeof value === 'object' && value !== null && 'id' in value ? value.id : undefined;
    return {
      data: JSON.stringify(value),
      id: typeof given === 'string' && given.length <= 200 ? given : undefined,
      kind,
    };
  };
  const hostileItem = (): unknown =>
    pick([
      { category: 'loras', filename: '', origin: 'dependencies' },
      { category: 5, filename: 'x.safetensors', origin: 'dependencies' },
      { category: 'loras', filename: 'x.safetensors', origin: 'evil' },
      { category: 'loras', filename: 'x.safetensors', origin: 'dependencies', sha256: 'zz' },
      { category: 'loras', filename: 'x.safetensors', origin: 'dependencies', size: -1 },
      { category: 'loras', filename: 'x.safetensors', origin: 'dependencies', urls: 'https://huggingface.co/x' },
      { category: 'loras', filename: ['..', 'x.safetensors'], origin: 'dependencies' },
      { __proto__: { category: 'loras', filename: 'x.safetensors', origin: 'dependencies' } },
      null,
    ]);
  switch (i % 16) {
    case 0: // not JSON at all
      return {
        data: pick([
          '',
          ' ',
          '{',
          '[1,2',
          'undefined',
          'NaN',
          "{'type':'check'}",
          '\ufeff{}',
          text(1 + Math.floor(random() * 200)),
        ]),
        kind: 'not-json',
      };
    case 1: // JSON, but not an object
      return json(pick([0, -1, 1e308, 'check', true, null, [], [{ type: 'check', id }]]), 'not-object');
    case 2: // unknown or ill-typed `type`
      return json(
        {
          type: pick([
            'nope',
            'CHECK',
            'hello',
            'checkResult',
            'error',
            '',
            7,
            null,
            ['check'],
            { type: 'check' },
            'constructor',
            'toString',
            '__proto__',
            'hasOwnProperty',
          ]),
          id,
        },
        'bad-type',
      );
    case 3: // no type
      return json({ id, workflow: {} }, 'no-type');
    case 4: // known type, wrong field types
      return json(
        pick([
          { type: 'check', id: 5 },
          { type: 'install', id, items: 'x' },
          { type: 'install', id, items: [hostileItem()] },
          { type: 'install', id },
          { type: 'cancel', id, jobId: 7 },
          { type: 'setLimit', id, kbps: '100' },
          { type: 'setLimit', id },
        ]),
        'wrong-fields',
      );
    case 5: // a token message the schema refuses: it must not come back in the answer
      return json(
        pick([
          { type: 'token', id, provider: 'evil', token: FUZZ_TOKEN },
          { type: 'token', id, provider: 'huggingface', token: '' },
          { type: 'token', id, provider: 'huggingface', token: `${FUZZ_TOKEN}${'x'.repeat(5000)}` },
          { type: 'token', id, provider: '__proto__', token: FUZZ_TOKEN },
          { type: 'token', id, token: FUZZ_TOKEN },
          { type: 'token', id, provider: 'civitai', token: 12345 },
        ]),
        'bad-token',
      );
    case 6: // valid shapes, hostile values the schema or the depot must refuse
      return json(
        pick([
          { type: 'setLimit', id, kbps: -1 },
          { type: 'setLimit', id, kbps: 0 },
          { type: 'cancel', id },
          { type: 'check', id },
          {
            type: 'check',
            id,
            dependencies: { loras: [{ filename: '../../etc/passwd.safetensors', urls: ['file:///etc/passwd'] }] },
          },
          {
            type: 'check',
            id,
            dependencies: { checkpoints: [{ filename: '/abs/x.safetensors' }, { filename: 'a\u0000b.safetensors' }] },
          },
          { type: 'check', id, workflow: 42 },
          { type: 'check', id, workflow: 'not a workflow' },
          {
            type: 'install',
            id,
            items: Array.from({ length: 1001 }, () => ({
              category: 'loras',
              filename: 'x.safetensors',
              origin: 'dependencies',
            })),
          },
        ]),
        'hostile-values',
      );
    case 7: // prototype-pollution keys
      return {
        data: pick([
          `{"__proto__":{"type":"check","polluted":true},"id":"${id}"}`,
          `{"type":"check","id":"${id}","constructor":{"prototype":{"polluted":true}}}`,
          `{"type":"install","id":"${id}","items":[{"__proto__":{"category":"loras","filename":"x.safetensors","origin":"dependencies"},"polluted":1}]}`,
          `{"type":"check","id":"${id}","__proto__":{"workflow":{"nodes":[]}},"dependencies":{"__proto__":{"loras":[{"filename":"x"}]},"loras":[{"filename":"../x.safetensors"}]}}`,
        ]),
        id,
        kind: 'proto',
      };
    case 8: // binary frames
      return {
        data: Buffer.from(Array.from({ length: 1 + Math.floor(random() * 512) }, () => Math.floor(random() * 256))),
        kind: 'binary',
      };
    case 9: // binary frame holding valid JSON: still refused (text frames only)
      return { data: Buffer.from(JSON.stringify({ type: 'check', id, dependencies: {} })), kind: 'binary-json' };
    case 10: // a huge string the schema refuses (an id over 200 chars, a huge type)
      return pick([
        json({ type: 'check', id: 'i'.repeat(100_000), dependencies: {} }, 'huge-id'),
        json({ type: 't'.repeat(100_000), id }, 'huge-type'),
        json({ type: 'token', id, provider: 'p'.repeat(100_000), token: FUZZ_TOKEN }, 'huge-enum'),
        json(
          {
            type: 'install',
            id,
            items: [{ category: 'loras', filename: 'x.safetensors', origin: 'o'.repeat(100_000) }],
          },
          'huge-enum',
        ),
      ]);
    case 11: // over the message limit (but under the hard close): an error, the connection stays
      return {
        data: JSON.stringify({ type: 'check', id, dependencies: { pad: 'p'.repeat(MAX_MESSAGE_BYTES) } }),
        kind: 'over-limit',
      };
    case 12: // deep nesting where a type is expected
      return json({ type: deep(2000, 'check'), id }, 'deep-type');
    case 13: // deep nesting inside a check that names no usable model
      return json({ type: 'check', id, dependencies: deep(3000, 1) }, 'deep-workflow');
    case 14: // control characters and lone surrogates in strings
      return { data: `{"type":"che\\u0000ck","id":"${id}","x":"\\ud800\\udfff\\ud800"}`, id, kind: 'control-chars' };
    default: // a random mix of valid JSON values under random keys
      return json(
        Object.fromEntries(
          Array.from({ length: 1 + Math.floor(random() * 8) }, () => [
            text(6, 97, 26),
            pick([null, 1, 'x', [], {}, true]),
          ]),
        ),
        'random-object',
      );
  }
}

describe('1,000 random or malformed WebSocket messages against the real server', () => {
  let dir: string;
  let removeDir: () => Promise<void>;
  let depot: Depot;
  let server: DepotServer;

  beforeAll(async () => {
    ({ dir, remove: removeDir } = await tempDir('depot-sec-fuzz-'));
    await mkdir(path.join(dir, 'models'));
    depot = await createDepot({
      modelsRoot: path.join(dir, 'models'),
      indexInBackground: false,
      hashWorkers: 1,
      lookupRemote: async () => null,
    });
    server = await createServer({ depot, port: 0, version: 'test', maxBodyBytes: MAX_MESSAGE_BYTES });
  });

  afterAll(async () => {
    await server?.close();
    await depot?.close();
    await removeDir?.();
  });

  const wsUrl = (): string => `${server.url.replace('http', 'ws')}/ws`;

  it('answers each of 1,000 seeded messages with one error (matched in order and by id), stays open and healthy', async () => {
    const client = await connectRecording(wsUrl());
    await client.waitFor((m) => m.type === 'hello');
    const random = prng(0x5eed);
    const rssBefore = process.memoryUsage().rss;
    const problems: string[] = [];
    const kinds = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const fuzz = makeFuzz(i, random);
      kinds.set(fuzz.kind, (kinds.get(fuzz.kind) ?? 0) + 1);
      const seen = client.messages.length;
      client.ws.send(fuzz.data, { binary: Buffer.isBuffer(fuzz.data) });
      let answer: Record<string, unknown>;
      try {
        answer = await client.waitFor((m) => client.messages.indexOf(m) >= seen, 5000);
      } catch {
        problems.push(`#${i} ${fuzz.kind}: no answer`);
        continue;
      }
      const error = answer.error;
      const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : '';
      if (answer.type !== 'error') problems.push(`#${i} ${fuzz.kind}: answered ${String(answer.type)}`);
      else if (fuzz.id !== undefined && answer.id !== fuzz.id)
        problems.push(`#${i} ${fuzz.kind}: error for id ${String(answer.id)}`);
      else if (message.length === 0 || message.length > 4000)
        problems.push(`#${i} ${fuzz.kind}: message of ${message.length} chars`);
      if (client.ws.readyState !== WebSocket.OPEN) {
        problems.push(`#${i} ${fuzz.kind}: connection closed`);
        break;
      }
      if (i % 100 === 99) {
        const health = await fetch(`${server.url}/health`);
        if (health.status !== 200) problems.push(`#${i}: /health answered ${health.status}`);
      }
    }
    expect(problems).toEqual([]);
    expect(client.messages.filter((m) => m.type === 'error')).toHaveLength(1000);
    expect(kinds.size).toBeGreaterThanOrEqual(16);
    // No answer ever carried the token of a refused token message back.
    expect(client.frames.filter((f) => f.includes(FUZZ_TOKEN))).toEqual([]);
    // Nothing leaked onto Object.prototype in this process (the server runs here too).
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.keys(Object.prototype)).toEqual([]);
    // Still a working sidecar: a good check is answered on the same connection, /health answers, memory is sane.
    client.send({ type: 'check', id: 'good', dependencies: {} });
    expect(await client.waitFor((m) => m.id === 'good')).toMatchObject({ type: 'checkResult' });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(depot.jobs()).toEqual([]);
    const grownMb = (process.memoryUsage().rss - rssBefore) / (1024 * 1024);
    expect(grownMb, `rss grew ${grownMb.toFixed(0)} MB`).toBeLessThan(300);
    await client.close();
  });

  it('ignores a __proto__ key in a dependencies section: no requirement is read from it, no prototype changes', async () => {
    const client = await connectRecording(wsUrl());
    client.send(
      '{"type":"check","id":"p","dependencies":{"__proto__":{"loras":[{"filename":"x.safetensors","urls":["https://huggingface.co/a/b/resolve/main/x.safetensors"]}]}}}',
    );
    const answer = await client.waitFor((m) => m.id === 'p');
    expect(answer).toMatchObject({ type: 'checkResult', result: { items: [] } });
    expect(Object.keys(Object.prototype)).toEqual([]);
    await client.close();
  });

  it('answers a pipelined burst of 300 bad messages with 300 errors, ids matched', async () => {
    const client = await connectRecording(wsUrl());
    await client.waitFor((m) => m.type === 'hello');
    const random = prng(7);
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const fuzz = makeFuzz(i * 7 + 3, random);
      if (fuzz.id !== undefined) ids.push(fuzz.id);
      client.ws.send(fuzz.data, { binary: Buffer.isBuffer(fuzz.data) });
    }
    const deadline = Date.now() + 20_000;
    const errors = () => client.messages.filter((m) => m.type === 'error');
    while (errors().length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(errors()).toHaveLength(300);
    const answeredIds = new Set(errors().map((m) => m.id));
    expect(ids.filter((id) => !answeredIds.has(id))).toEqual([]);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    await client.close();
  });

  it('closes cleanly on a frame far over the limit (1009) or with invalid UTF-8 (1007); a new connection works', async () => {
    for (const [frame, code] of [
      [JSON.stringify({ type: 'check', id: 'big', pad: 'p'.repeat(MAX_MESSAGE_BYTES + 2 * 1024 * 1024) }), 1009],
      [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 1007],
    ] as const) {
      const client = await connectRecording(wsUrl());
      await client.waitFor((m) => m.type === 'hello');
      const closed = new Promise<number>((resolve) => client.ws.once('close', (c) => resolve(c)));
      client.ws.send(frame, { binary: false });
      expect(await closed).toBe(code);
      const next = await connectRecording(wsUrl());
      next.send({ type: 'check', id: 'after', dependencies: {} });
      expect(await next.waitFor((m) => m.id === 'after')).toMatchObject({ type: 'checkResult' });
      await next.close();
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
