// @vitest-environment jsdom
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SETTING_IDS } from '../../extension/settings';
import { createServer } from '../../sidecar/server/create-server';
import { createDepot } from '../../sidecar/services/depot/create-depot';
import { createFakeHub } from '../fake-hub/create-fake-hub';
import { createFakeComfyApp } from '../extension/fake-comfy-app';
import { registerExtension } from '../extension/register-extension';
import { until } from '../extension/fake-sidecar';
import { tempDir } from './security-fixture';
import { fakeHubDepotOptions } from '../services/fake-hub-depot-options';

const WRONG = 'hf_ExtWrongToken1a2b3c4d5e6f';
const GOOD = 'hf_ExtGoodToken6f5e4d3c2b1a';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
  document.body.replaceChildren();
  localStorage.clear();
  sessionStorage.clear();
});

/** Types a token into the open dialog and submits it, the way a person does. */
async function answerDialog(token: string): Promise<void> {
  await until(() => document.querySelector('.md-token-dialog') !== null, 'the token dialog', 10_000);
  const input = document.querySelector<HTMLInputElement>('.md-token-input');
  if (!input) throw new Error('no token input');
  expect(input.type).toBe('password');
  input.value = token;
  input.dispatchEvent(new Event('input'));
  document.querySelector<HTMLButtonElement>('.md-token-submit')?.click();
  expect(input.value).toBe('');
}

describe('the extension against the real sidecar: a token typed in the dialog is kept nowhere in the browser', () => {
  it('leaves no token in storage, settings, cookies, the URL, the DOM, toasts, the console or the saved workflow', async () => {
    const consoleCalls: unknown[][] = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void consoleCalls.push(args));
    }
    const { dir, remove } = await tempDir('depot-sec-ext-');
    cleanups.push(remove);
    const hub = await createFakeHub({ hfTokens: [WRONG] });
    cleanups.push(() => hub.close());
    hub.addRepo({
      id: 'ext/gated',
      gated: 'manual',
      tokensWithAccess: [GOOD],
      files: [{ path: 'g.safetensors', size: 512 * 1024 }],
    });
    await mkdir(path.join(dir, 'models'));
    const depot = await createDepot({ modelsRoot: path.join(dir, 'models'), ...fakeHubDepotOptions(hub) });
    cleanups.push(() => depot.close());
    // The page's own origin stands for ComfyUI's (jsdom sends it as Origin).
    const server = await createServer({ depot, port: 0, version: 'test', allowedOrigins: [window.location.origin] });
    cleanups.push(() => server.close());

    const comfy = createFakeComfyApp({ [SETTING_IDS.sidecarUrl]: `${server.url.replace('http', 'ws')}/ws` });
    cleanups.push(registerExtension(comfy.app, { storage: localStorage, backoff: { initialMs: 20, maxMs: 50 } }));
    await comfy.setup();
    const panel = document.createElement('div');
    document.body.append(panel);
    comfy.renderBottomPanel(panel);

    comfy.loadGraphData({
      id: '5ec0a11d-0000-4000-8000-000000000001',
      nodes: [],
      links: [],
      extra: {},
      version: 0.4,
      dependencies: {
        loras: [{ filename: 'g.safetensors', urls: ['https://huggingface.co/ext/gated/resolve/main/g.safetensors'] }],
      },
    });
    await until(() => document.querySelector('.md-download') !== null, 'the prompt', 10_000);
    document.querySelector<HTMLButtonElement>('.md-download')?.click();

    await answerDialog(WRONG);
    // Denied: the dialog comes back, saying so, and the wrong token is not in what it shows.
    await until(() => document.querySelector('.md-token-dialog') !== null, 'the token dialog again', 10_000);
    expect(document.body.textContent).toMatch(/no access/);
    await answerDialog(GOOD);
    await until(() => depot.jobs().some((j) => j.state === 'complete'), 'the download', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const places = {
      localStorage: JSON.stringify({ ...localStorage }),
      sessionStorage: JSON.stringify({ ...sessionStorage }),
      settings: JSON.stringify(comfy.settingValues()),
      cookie: document.cookie,
      url: window.location.href,
      history: JSON.stringify(window.history.state),
      dom: document.documentElement.outerHTML,
      toasts: JSON.stringify(comfy.toasts),
      console: JSON.stringify(consoleCalls.map((args) => args.map(String))),
      savedWorkflow: JSON.stringify(comfy.app.graph?.serialize?.()),
    };
    for (const [place, text] of Object.entries(places)) {
      expect(text.includes(WRONG) || text.includes(GOOD), place).toBe(false);
    }
    // And the sidecar did get it, through the dialog: the gated file is on disk.
    expect(depot.jobs().map((j) => j.state)).toEqual(['complete']);
  });
});
