import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/model-depot.cjs', import.meta.url));

/** A running `model-depot serve` process and what it printed so far. */
export interface Served {
  child: ChildProcess;
  /** The URL from its "serving http://..." line. */
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process has closed. */
  exited: Promise<number | null>;
}

export interface SpawnServeOptions {
  /** The process's working directory. */
  cwd: string;
  /** Every CLI argument, `serve --port 0` included (global options go before it). */
  args: string[];
  /** The process's whole environment: nothing is inherited, so no developer token leaks in. */
  env: Record<string, string>;
}

/** Starts the real CLI (bin/model-depot.cjs) and waits up to 30 s for its "serving http://..." line on stderr. */
export function spawnServe({ cwd, args, env }: SpawnServeOptions): Promise<Served> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /serving (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    void exited.then(() => reject(new Error(`serve exited: ${stderr}`)));
  });
}
