import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter with python3-aiohttp (.ci/run installs it), not whatever python a developer's PATH has. */
export const PYTHON = '/usr/bin/python3';
const FAKE_COMFYUI = fileURLToPath(new URL('./fake-comfyui', import.meta.url));

export interface FakeComfyui {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>`: ComfyUI's origin, as its page has it. */
  url: string;
  /** Everything it logged so far (the custom node's lines and the access log). */
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name) once it has ended. */
  exited: Promise<number | string | null>;
  /** Sends `signal` (default SIGTERM) and waits for the end. */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

export interface StartFakeComfyuiOptions {
  /** The custom node's folder (a build's `comfyui-model-depot/`, or an installed copy). */
  nodeDir: string;
  /** ComfyUI's base folder: `folder_paths.base_path`; its `models/` is `folder_paths.models_dir`. */
  base: string;
  /** The rest of the environment (nothing is inherited, so no developer token leaks in). */
  env: Record<string, string>;
  /** The port to listen on, on 127.0.0.1 (ComfyUI Desktop's is 8000). Default: a free one. */
  port?: number;
  /**
   * Also serve a stand-in frontend page from this folder (index.html at `/`, its files under `/stand-in/`) with the
   * routes it reads: `/scripts/*.js`, `/api/settings`, `/api/extensions`, `/api/experiment/models/{folder}`.
   */
  standIn?: {
    pageDir: string;
    /** What GET /api/settings answers. Default none. */
    settings?: Record<string, unknown>;
  };
}

/**
 * Runs test/comfyui-node/fake-comfyui/main.py: a real aiohttp server with ComfyUI's `server.PromptServer.instance.routes`
 * interface, which imports the custom node as ComfyUI does. Waits up to 20 s for its "listening" line.
 */
export function startFakeComfyui(options: StartFakeComfyuiOptions): Promise<FakeComfyui> {
  const child = spawn(PYTHON, [`${FAKE_COMFYUI}/main.py`, options.nodeDir], {
    // No __pycache__ left in the test folder.
    env: {
      PYTHONPATH: FAKE_COMFYUI,
      PYTHONDONTWRITEBYTECODE: '1',
      FAKE_COMFYUI_BASE: options.base,
      ...options.env,
      ...(options.port !== undefined && { FAKE_COMFYUI_PORT: String(options.port) }),
      ...(options.standIn && {
        FAKE_COMFYUI_STAND_IN: options.standIn.pageDir,
        FAKE_COMFYUI_SETTINGS: JSON.stringify(options.standIn.settings ?? {}),
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? signal)),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fake ComfyUI did not start: ${stderr}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, stderr: () => stderr, exited, stop });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`fake ComfyUI exited: ${stderr}`));
    });
  });
}
