import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/model-depot.cjs', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Working directory of the CLI. */
  cwd: string;
  /** Added to a minimal environment (HOME = cwd, so nothing touches the real home). */
  env?: Record<string, string>;
}

/** Runs `node bin/model-depot.cjs ...args` as a user would, and collects its exit code and output. */
export function runCli(args: string[], options: RunCliOptions): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', HOME: options.cwd, ...options.env } },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
