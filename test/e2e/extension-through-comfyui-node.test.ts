import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIDECAR_REFUSED_SUMMARY } from '../../extension/connection/sidecar-status-notice';
import { type Served, spawnServe } from '../cli/spawn-serve';
import { buildCustomNode } from '../comfyui-node/build-custom-node';
import { type FakeComfyui, startFakeComfyui } from '../comfyui-node/start-fake-comfyui';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { makeServeSandbox, serveSandboxEnv } from '../security/sandboxed-serve';
import { CHROMIUM, launchChromium } from './launch-chromium';
import { tempDir } from '../security/security-fixture';

/**
 * The extension as ComfyUI Desktop runs it: the stand-in page served on port 8000 by a ComfyUI-like aiohttp server
 * that loads the real custom node, with no model-depot setting at all. The extension then talks to
 * `/model-depot/ws` on the page's own origin, and the custom node forwards it to the real sidecar with its key.
 */

const DESKTOP_PORT = 8000;
const ORIGIN = `http://127.0.0.1:${DESKTOP_PORT}`;
const STAND_IN_DIR = path.join(import.meta.dirname, 'stand-in');
const REPO = 'desktop-org/detail-lora';
const FILE = 'desktop-detail.safetensors';
const BYTES = Buffer.alloc(2 * 1024 * 1024, 'desktop');
const URL_OF_FILE = `https://huggingface.co/${REPO}/resolve/main/${FILE}`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Fails at once, saying why, when something already listens where ComfyUI Desktop would. */
async function ensurePortFree(port: number): Promise<void> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `Port ${port} (ComfyUI Desktop's) is taken on 127.0.0.1 (${error.code}): this test serves ComfyUI there. ` +
            'Stop what listens on it (a running ComfyUI?) and run the test again.',
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  await new Promise((resolve) => server.close(resolve));
}

function loraWorkflow(id: string) {
  return {
    id,
    nodes: [{ id: 1, type: 'LoraLoader', mode: 0, properties: {}, widgets_values: [FILE, 1, 1] }],
    links: [],
    extra: {},
    version: 0.4,
    dependencies: { loras: [{ filename: FILE, sha256: sha256(BYTES), size: BYTES.length, urls: [URL_OF_FILE] }] },
  };
}

async function openStandIn(page: Page): Promise<void> {
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => Reflect.get(window, '__standIn')?.state.ready === true, undefined, {
    timeout: 15_000,
  });
}

const toastsOf = (page: Page): Promise<{ severity: string; summary: string; detail?: string }[]> =>
  page.evaluate(() => Reflect.get(window, '__standIn').state.toasts);

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(
  'the extension on a Desktop-like ComfyUI: port 8000, the real custom node, no model-depot setting',
  () => {
    let dir: string;
    let removeDir: (() => Promise<void>) | undefined;
    let hub: FakeHub | undefined;
    let sidecar: Served | undefined;
    let comfy: FakeComfyui | undefined;
    let browser: Browser | undefined;
    let models: string;
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      await ensurePortFree(DESKTOP_PORT);
      ({ dir, remove: removeDir } = await tempDir('md-e2e-desktop-'));
      await makeServeSandbox(dir);
      hub = await createFakeHub({ repos: [{ id: REPO, files: [{ path: FILE, content: BYTES, lfs: true }] }] });
      const base = path.join(dir, 'ComfyUI');
      models = path.join(base, 'models');
      await mkdir(models, { recursive: true });
      const env = serveSandboxEnv(dir, hub);
      const nodeDir = await buildCustomNode(path.join(dir, 'build'));
      // The sidecar's config allows no page origin: the page reaches it only through the custom node's key.
      sidecar = await spawnServe({ cwd: dir, args: ['--models', models, 'serve', '--port', '0'], env });
      comfy = await startFakeComfyui({
        nodeDir,
        base,
        // Where the custom node finds the sidecar: a free port here, as 8190 may be another test's.
        env: { ...env, MODEL_DEPOT_URL: sidecar.url },
        port: DESKTOP_PORT,
        standIn: { pageDir: STAND_IN_DIR },
      });
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await comfy?.stop();
      if (sidecar && sidecar.child.exitCode === null) {
        sidecar.child.kill('SIGTERM');
        await sidecar.exited;
      }
      await hub?.close();
      await removeDir?.();
    });

    it('opening a workflow gets our prompt, and the download completes through /model-depot/', async () => {
      if (!browser || !comfy) throw new Error('set-up failed');
      expect(comfy.url).toBe(ORIGIN);
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(error.message));
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      await openStandIn(page);
      // Model Depot's own settings are their defaults: no sidecar URL anywhere. (ComfyUI's missing-models setting may
      // already be switched off by then: the extension does that as soon as it is connected.)
      const settings: Record<string, unknown> = await page.evaluate(
        () => Reflect.get(window, '__standIn').state.settingValues,
      );
      expect(Object.fromEntries(Object.entries(settings).filter(([key]) => key.startsWith('ModelDepot.')))).toEqual({
        'ModelDepot.SidecarUrl': '',
        'ModelDepot.CheckOnLoad': true,
        'ModelDepot.BandwidthLimitKbps': 0,
      });
      await page.evaluate(
        (wf) => Reflect.get(window, '__standIn').openWorkflow('desktop.json', wf),
        loraWorkflow('d1'),
      );
      const prompt = page.locator('.md-download-prompt [role="dialog"]');
      await prompt.waitFor({ timeout: 20_000 });
      expect(await prompt.locator('[data-status="missing"]').textContent()).toContain(FILE);
      await prompt.locator('.md-download').click();
      await page.waitForFunction(
        (file) =>
          [...document.querySelectorAll('.md-job')].some(
            (row) => row.textContent?.includes(file) && row.getAttribute('data-state') === 'complete',
          ),
        FILE,
        { timeout: 30_000 },
      );
      expect(sha256(await readFile(path.join(models, 'loras', FILE)))).toBe(sha256(BYTES));
      // The page spoke only to its own origin: the custom node carried the socket to the sidecar.
      expect(sockets).toEqual([`ws://127.0.0.1:${DESKTOP_PORT}/model-depot/ws`]);
      const toasts = await toastsOf(page);
      expect(toasts.map((t) => t.summary)).not.toContain('Model Depot: the sidecar is not running');
      expect(toasts.map((t) => t.summary)).not.toContain(SIDECAR_REFUSED_SUMMARY);
      expect(consoleErrors).toEqual([]);
      await page.close();
    });

    it('a sidecar URL straight at the sidecar, from an origin it does not allow, shows "refused" and what to change', async () => {
      if (!browser || !sidecar) throw new Error('set-up failed');
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const direct = `${sidecar.url.replace('http://', 'ws://')}/ws`;
        await page.route('**/api/settings', (route) => route.fulfill({ json: { 'ModelDepot.SidecarUrl': direct } }));
        await openStandIn(page);
        await page.waitForFunction(
          (summary) =>
            Reflect.get(window, '__standIn').state.toasts.some((t: { summary: string }) => t.summary === summary),
          SIDECAR_REFUSED_SUMMARY,
          { timeout: 20_000 },
        );
        const toasts = await toastsOf(page);
        const refused = toasts.find((t) => t.summary === SIDECAR_REFUSED_SUMMARY);
        expect(refused?.detail).toContain('allowed_origins');
        expect(refused?.detail).toContain(`"${ORIGIN}"`);
        expect(toasts.map((t) => t.summary)).not.toContain('Model Depot: the sidecar is not running');
      } finally {
        await context.close();
      }
    });
  },
);
