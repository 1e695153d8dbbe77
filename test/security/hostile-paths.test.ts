import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type DepotServer } from '../../sidecar/server/create-server';
import { createDepot, type Depot } from '../../sidecar/services/depot/create-depot';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { treeSnapshot } from '../disk/tree-snapshot';
import { connectRecording, type RecordingClient } from '../server/connect-recording';
import { jobOf, tempDir } from './security-fixture';
import { fakeHubDepotOptions } from '../services/fake-hub-depot-options';

interface Row {
  category: string;
  filename: string;
  why: string;
  /**
   * The check may still call it missing: it is lexical and fast (a symlink on the way is seen only by resolving real
   * paths), or the workflow reader normalizes it (a trimmed category). The install must refuse it before writing.
   */
  checkMayMiss?: boolean;
  /** The check may call it linkable: the normalized name is an ordinary target whose bytes are already on disk. */
  checkMayLink?: boolean;
  /** A symlink already sits at the target: refused as a CONFLICT (nothing overwritten) rather than as a bad name. */
  occupied?: boolean;
}

const LONG_SEGMENT = `${'a'.repeat(300)}.safetensors`;
const LONG_PATH = `${'abc/'.repeat(400)}x.safetensors`;

/** Each must be refused: UNSAFE_PATH (job failed with a sentence) or a 400. */
const REFUSED: Row[] = [
  { category: 'loras', filename: '..', why: 'parent segment alone' },
  { category: 'loras', filename: '../x.safetensors', why: 'parent folder' },
  { category: 'loras', filename: '../../x.safetensors', why: 'out of the models root' },
  { category: 'loras', filename: '../../models-sibling/x.safetensors', why: 'into a sibling folder' },
  { category: 'loras', filename: 'sub/../../x.safetensors', why: '.. after a subfolder' },
  { category: 'loras', filename: 'sub/..', why: 'trailing ..' },
  { category: 'loras', filename: '/etc/passwd.safetensors', why: 'absolute POSIX path' },
  { category: 'loras', filename: '/tmp/x.safetensors', why: 'absolute /tmp' },
  { category: 'loras', filename: 'C:\\x.safetensors', why: 'drive letter + backslash' },
  { category: 'loras', filename: 'C:x.safetensors', why: 'drive-relative' },
  { category: 'loras', filename: 'c:/x.safetensors', why: 'drive letter, forward slash' },
  { category: 'loras', filename: '\\\\server\\share\\x.safetensors', why: 'UNC path' },
  { category: 'loras', filename: 'a\\..\\b.safetensors', why: 'backslash traversal' },
  { category: 'loras', filename: '..\\x.safetensors', why: 'backslash parent' },
  { category: 'loras', filename: 'x.safetensors\u0000.png', why: 'NUL truncation' },
  { category: 'loras', filename: 'x\u0000.safetensors', why: 'NUL' },
  { category: 'loras', filename: 'x\n.safetensors', why: 'newline' },
  { category: 'loras', filename: 'x\r\n.safetensors', why: 'CRLF' },
  { category: 'loras', filename: 'x\t.safetensors', why: 'tab' },
  { category: 'loras', filename: 'x\u001b[31m.safetensors', why: 'terminal escape' },
  { category: 'loras', filename: '.', why: 'current folder' },
  { category: 'loras', filename: './x.safetensors', why: '. segment' },
  { category: 'loras', filename: '', why: 'empty' },
  { category: 'loras', filename: LONG_SEGMENT, why: 'segment over 255 bytes' },
  { category: 'loras', filename: LONG_PATH, why: 'name over 1024 bytes' },
  { category: 'loras', filename: 'x.exe', why: '.exe' },
  { category: 'loras', filename: 'x.py', why: '.py' },
  { category: 'loras', filename: 'x.safetensors.exe', why: 'double extension' },
  { category: 'loras', filename: 'x.sh', why: '.sh' },
  { category: 'loras', filename: 'x', why: 'no extension' },
  { category: 'loras', filename: 'x.safetensors/', why: 'trailing slash' },
  { category: 'loras', filename: 'sub//x.safetensors', why: 'empty segment' },
  { category: 'loras', filename: '.hidden.safetensors', why: 'hidden name' },
  { category: 'loras', filename: 'x.safetensors.', why: 'trailing dot (Windows strips it)' },
  { category: 'loras', filename: 'x.safetensors:evil', why: 'NTFS alternate stream' },
  { category: 'loras', filename: 'CON.safetensors', why: 'Windows device name' },
  { category: 'loras', filename: 'x?.safetensors', why: 'wildcard' },
  {
    category: 'loras',
    filename: 'escape/x.safetensors',
    checkMayMiss: true,
    why: 'subfolder symlinked outside (relative link)',
  },
  {
    category: 'loras',
    filename: 'escape/deeper/x.safetensors',
    checkMayMiss: true,
    why: 'under a subfolder symlinked outside',
  },
  {
    category: 'vae',
    filename: 'deep/inner/x.safetensors',
    checkMayMiss: true,
    why: 'subfolder symlinked outside (absolute link)',
  },
  {
    category: 'upscale_models',
    filename: 'x.safetensors',
    checkMayMiss: true,
    why: 'category folder symlinked outside',
  },
  { category: 'loras', filename: 'loop/x.safetensors', occupied: true, why: 'symlink loop' },
  { category: 'loras', filename: 'dangling.safetensors', occupied: true, why: 'dangling symlink at the target' },
  { category: 'loras.', filename: 'x.safetensors', why: 'category ending in a dot (Windows strips it)' },
  { category: 'lo\u202eras', filename: 'x.safetensors', why: 'category with a right-to-left override' },
  { category: 'ipadapter/../../x', filename: 'x.safetensors', why: 'custom folder with traversal' },
  { category: 'controlnet//SDXL', filename: 'x.safetensors', why: 'folder with an empty segment' },
  { category: 'CON', filename: 'x.safetensors', why: 'category that is a Windows device name' },
  { category: '../loras', filename: 'x.safetensors', why: 'category ../loras' },
  { category: 'checkpoints/../../x', filename: 'x.safetensors', why: 'category with traversal' },
  { category: '..', filename: 'x.safetensors', why: 'category ..' },
  { category: '/etc', filename: 'x.safetensors', why: 'absolute category' },
  { category: '', filename: 'x.safetensors', why: 'empty category' },
  {
    category: 'loras ',
    filename: 'x.safetensors',
    checkMayMiss: true,
    // The reader trims it into `loras`, where the copy an earlier row installed inside the models root is linkable.
    checkMayLink: true,
    why: 'category with a space (the workflow reader trims it)',
  },
  { category: '.registry', filename: 'models.json', why: 'the registry folder' },
  { category: 'checkpoints', filename: '../.registry/models.safetensors', why: 'into the registry' },
  { category: '__proto__', filename: 'x.safetensors', why: 'prototype key as category' },
];

/** Look-alikes and encodings: fine to allow, as long as the file lands inside the models root under that literal name. */
const INSIDE_OR_REFUSED: Row[] = [
  { category: 'loras', filename: '%2e%2e/x.safetensors', why: 'URL-encoded .. (a literal name)' },
  { category: 'loras', filename: '..%2fx.safetensors', why: 'URL-encoded slash' },
  { category: 'loras', filename: '\uff0e\uff0e/x.safetensors', why: 'fullwidth dots' },
  { category: 'loras', filename: '\u2025/x.safetensors', why: 'two-dot leader' },
  { category: 'loras', filename: 'a\u2215..\u2215b.safetensors', why: 'division slash' },
  { category: 'loras', filename: '..\uff0fx.safetensors', why: 'fullwidth solidus' },
  { category: 'loras', filename: '\u202egpj.safetensors', why: 'right-to-left override' },
  // Custom nodes create their own folders under the models root, so any safe name is a model folder.
  { category: 'evil_folder', filename: 'x.safetensors', why: 'a folder no loader knows' },
  { category: 'constructor', filename: 'x.safetensors', why: 'a prototype key as a folder name' },
];

const CONTROL = /[\u0000-\u001f\u007f]/;

interface Outcome {
  code: string;
  message: string;
  state?: string;
}

describe('hostile model names through the real install paths', () => {
  let dir: string;
  let removeDir: () => Promise<void>;
  let hub: FakeHub;
  let depot: Depot;
  let server: DepotServer;
  let client: RecordingClient;
  let sha256: string;
  let before: Record<string, string>;
  const URL = 'https://huggingface.co/org/m/resolve/main/x.safetensors';

  beforeAll(async () => {
    ({ dir, remove: removeDir } = await tempDir('depot-sec-paths-'));
    const models = path.join(dir, 'models');
    for (const sub of ['models/loras/sub', 'models/vae/deep', 'models-sibling', 'outside', 'outside-category']) {
      await mkdir(path.join(dir, sub), { recursive: true });
    }
    await writeFile(path.join(dir, 'outside', 'keep.txt'), 'outside the models root');
    await symlink('../../outside', path.join(models, 'loras', 'escape'));
    await symlink(path.join(dir, 'outside'), path.join(models, 'vae', 'deep', 'inner'));
    await symlink('../outside-category', path.join(models, 'upscale_models'));
    await symlink('loop', path.join(models, 'loras', 'loop'));
    await symlink('../../outside/nothing-here.safetensors', path.join(models, 'loras', 'dangling.safetensors'));
    hub = await createFakeHub();
    hub.addRepo({ id: 'org/m', files: [{ path: 'x.safetensors', size: 64 * 1024 }] });
    sha256 = await hub.sha256Of({ repoId: 'org/m', path: 'x.safetensors' });
    depot = await createDepot({ modelsRoot: models, ...fakeHubDepotOptions(hub) });
    server = await createServer({ depot, port: 0, version: 'test' });
    client = await connectRecording(`${server.url.replace('http', 'ws')}/ws`);
    before = await treeSnapshot(dir);
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
    await depot?.close();
    await hub?.close();
    await removeDir?.();
  });

  const itemOf = (row: Row) => ({
    category: row.category,
    filename: row.filename,
    sha256,
    urls: [URL],
    origin: 'dependencies',
  });

  async function viaHttp(row: Row): Promise<Outcome> {
    const res = await fetch(`${server.url}/models/download`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [itemOf(row)] }),
    });
    const body: unknown = await res.json();
    if (res.status === 400) return errorOf(body);
    expect(res.status).toBe(202);
    const id = firstJobId(body);
    const [job] = await depot.settled([id]);
    return { code: job?.error?.code ?? '', message: job?.error?.message ?? '', state: job?.state };
  }

  let wsCount = 0;
  async function viaWebSocket(row: Row): Promise<Outcome> {
    wsCount += 1;
    const id = `ws-${wsCount}`;
    client.send({ type: 'install', id, items: [itemOf(row)] });
    const answer = await client.waitFor((m) => (m.type === 'installStarted' || m.type === 'error') && m.id === id);
    if (answer.type === 'error') return errorOf(answer);
    const jobId = firstJobId(answer);
    const [job] = await depot.settled([jobId]);
    return { code: job?.error?.code ?? '', message: job?.error?.message ?? '', state: job?.state };
  }

  async function viaCheck(row: Row): Promise<{ status: string; reason: string }> {
    const res = await fetch(`${server.url}/models/check-dependencies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        items: undefined,
        dependencies: { [row.category]: [{ filename: row.filename, sha256, urls: [URL] }] },
      }),
    });
    const body: unknown = await res.json();
    if (res.status === 400) return { status: 'refused', reason: errorOf(body).message };
    expect(res.status).toBe(200);
    const items =
      typeof body === 'object' && body !== null && 'items' in body && Array.isArray(body.items) ? body.items : [];
    const statuses = items.map((i: unknown) =>
      typeof i === 'object' && i !== null && 'status' in i ? String(i.status) : '?',
    );
    const reasons = items.map((i: unknown) =>
      typeof i === 'object' && i !== null && 'reason' in i ? String(i.reason) : '',
    );
    // An entry the workflow reader rejects never becomes an item: that is a refusal too.
    return { status: statuses.length === 0 ? 'refused' : statuses.join(','), reason: reasons.join(' ') };
  }

  it(`has at least 40 hostile names and categories (${REFUSED.length})`, () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(40);
  });

  it.each(REFUSED)('refuses $why ($category / $filename) over HTTP, the WebSocket and the check', async (row) => {
    for (const outcome of [await viaHttp(row), await viaWebSocket(row)]) {
      expect(
        row.occupied ? ['CONFLICT', 'UNSAFE_PATH'] : ['UNSAFE_PATH', 'BAD_INPUT'],
        JSON.stringify(outcome),
      ).toContain(outcome.code);
      if (outcome.state !== undefined) expect(outcome.state).toBe('failed');
      // A sentence a person can act on, with no raw control character echoed back.
      expect(outcome.message.length, outcome.message).toBeGreaterThan(15);
      expect(CONTROL.test(outcome.message), JSON.stringify(outcome.message)).toBe(false);
    }
    const checked = await viaCheck(row);
    const acceptable = [
      'refused',
      'unavailable',
      ...(row.checkMayMiss ? ['missing'] : []),
      ...(row.checkMayLink ? ['linkable'] : []),
      ...(row.occupied ? ['conflict'] : []),
    ];
    expect(acceptable, JSON.stringify(checked)).toContain(checked.status);
  });

  it.each(INSIDE_OR_REFUSED)('keeps $why ($filename) inside the models root, or refuses it', async (row) => {
    for (const outcome of [await viaHttp(row), await viaWebSocket(row)]) {
      if (outcome.state === 'failed' || outcome.state === undefined) {
        expect(['UNSAFE_PATH', 'BAD_INPUT']).toContain(outcome.code);
        continue;
      }
      expect(['complete', 'linked', 'exists'], JSON.stringify(outcome)).toContain(outcome.state);
      const target = path.join(dir, 'models', row.category, ...row.filename.split('/'));
      const real = await realpath(target);
      expect(real.startsWith(`${await realpath(path.join(dir, 'models'))}${path.sep}`), real).toBe(true);
    }
  });

  it('wrote nothing outside the models root, and inside it only its own files and the look-alike names', async () => {
    const after = await treeSnapshot(dir);
    const isModels = (key: string): boolean => key === 'models' || key.startsWith('models/');
    const outside = (snap: Record<string, string>) =>
      Object.fromEntries(Object.entries(snap).filter(([k]) => !isModels(k)));
    expect(outside(after)).toEqual(outside(before));
    const allowedNew = INSIDE_OR_REFUSED.map((row) => `models/${row.category}/${row.filename}`);
    const added = Object.keys(after).filter((k) => isModels(k) && !(k in before));
    const unexpected = added.filter(
      (k) =>
        !k.startsWith('models/.cache') &&
        !k.startsWith('models/.registry') &&
        !allowedNew.some((name) => name === k || name.startsWith(`${k}/`)),
    );
    expect(unexpected).toEqual([]);
    // Pre-existing links were not followed to write anything: their targets are unchanged (checked above) and so are they.
    for (const key of [
      'models/loras/escape',
      'models/vae/deep/inner',
      'models/upscale_models',
      'models/loras/loop',
      'models/loras/dangling.safetensors',
    ]) {
      expect(after[key]).toBe(before[key]);
    }
  });
});

function errorOf(body: unknown): Outcome {
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
  if (typeof error !== 'object' || error === null) return { code: '', message: '' };
  return {
    code: 'code' in error && typeof error.code === 'string' ? error.code : '',
    message: 'message' in error && typeof error.message === 'string' ? error.message : '',
  };
}

function firstJobId(body: unknown): string {
  const jobs = typeof body === 'object' && body !== null && 'jobs' in body && Array.isArray(body.jobs) ? body.jobs : [];
  return jobOf({ job: jobs[0] }).id ?? '';
}
