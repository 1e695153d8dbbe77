import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createFakeHub } from '../fake-hub/create-fake-hub';

const BIN = fileURLToPath(new URL('../../bin/model-depot.cjs', import.meta.url));
// util-linux `script` gives the CLI a real terminal (a pty), the only way to see the hidden prompt as a person does.
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('model-depot install on a terminal', () => {
  it.skipIf(!hasScript)(
    'asks before starting, then asks for a gated token with echo off and finishes (exit 0)',
    async () => {
      const TOKEN = 'hf_typed_on_the_terminal_42';
      const dir = await mkdtemp(path.join(os.tmpdir(), 'depot-tty-'));
      const hub = await createFakeHub();
      try {
        hub.addRepo({
          id: 'gated/m',
          gated: 'manual',
          tokensWithAccess: [TOKEN],
          files: [{ path: 'g.safetensors', size: 512 * 1024 }],
        });
        const workflow = path.join(dir, 'wf.json');
        const url = 'https://huggingface.co/gated/m/resolve/main/g.safetensors';
        await writeFile(
          workflow,
          JSON.stringify({ dependencies: { loras: [{ filename: 'g.safetensors', urls: [url] }] } }),
        );
        const command = [
          process.execPath,
          BIN,
          '--config',
          path.join(dir, 'c.json'),
          '--models',
          path.join(dir, 'models'),
          'install',
          workflow,
        ]
          .map((part) => `'${part}'`)
          .join(' ');
        const child = spawn('script', ['-qfec', command, '/dev/null'], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', HOME: dir, HF_ENDPOINT: hub.hfUrl, TERM: 'dumb' },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let output = '';
        const waitFor = (text: string) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no "${text}" in: ${output}`)), 30_000);
            const check = () => {
              if (!output.includes(text)) return;
              clearTimeout(timer);
              child.stdout.off('data', check);
              resolve();
            };
            child.stdout.on('data', check);
            check();
          });
        child.stdout.on('data', (c: Buffer) => (output += c.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
        await waitFor('Proceed? [y/N]');
        child.stdin.write('y\r');
        await waitFor('token (hidden');
        child.stdin.write(`${TOKEN}\r`);
        expect(await exited).toBe(0);
        expect(output).toMatch(/1 Complete/);
        expect(output).not.toContain(TOKEN);
        expect((await readFile(path.join(dir, 'models', 'loras', 'g.safetensors'))).length).toBe(512 * 1024);
      } finally {
        await hub.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
