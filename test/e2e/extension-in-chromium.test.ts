import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { createDepot, type Depot } from '../../sidecar/services/depot/create-depot';
import { createServer, type DepotServer } from '../../sidecar/server/create-server';
import { installComfyuiExtension } from '../../sidecar/services/comfyui/install-comfyui-extension';
import { CHROMIUM, launchChromium } from './launch-chromium';
import { startStandInComfyui, type StandInComfyui } from './start-stand-in-comfyui';

/**
 * The extension end to end: the built bundle, installed as a custom node, loaded by a stand-in ComfyUI page in
 * headless Chromium, talking to the real sidecar (createDepot + createServer) that downloads from the fake hub.
 */

const OUTPUT = path.resolve('test-output', 'e2e');
const GATED_TOKEN = 'hf_e2e_gated_token_0123456789';
const NO_ACCESS_TOKEN = 'hf_valid_but_no_access_0123456789';
const MB = 1024 * 1024;

/** Bytes of a model: deterministic, different per seed. */
function modelBytes(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const MODELS = {
  base: { repo: 'e2e-org/base-model', file: 'base.safetensors', bytes: modelBytes('base', 6 * MB) },
  gated: { repo: 'e2e-org/gated-model', file: 'gated.safetensors', bytes: modelBytes('gated', 3 * MB) },
  vae: { repo: 'e2e-org/vae', file: 'vae.safetensors', bytes: modelBytes('vae', 2 * MB) },
  present: { repo: 'e2e-org/upscalers', file: 'present.pth', bytes: modelBytes('present', 1 * MB) },
  lora: { versionId: 424242, file: 'detail.safetensors', bytes: modelBytes('lora', 3 * MB) },
  refused: { repo: 'e2e-org/gated-refused', file: 'refused.safetensors', bytes: modelBytes('refused', 1 * MB) },
};

const hfUrl = (repo: string, file: string) => `https://huggingface.co/${repo}/resolve/main/${file}`;

/** Workflow A as its file has it: a `dependencies` section, a top-level ComfyUI `models` entry, loader widgets. */
function workflowA() {
  const dep = (m: { file: string; bytes: Buffer }, urls: string[], extra: Record<string, unknown> = {}) => ({
    filename: m.file,
    sha256: sha256(m.bytes),
    size: m.bytes.length,
    urls,
    ...extra,
  });
  return {
    id: 'e2e-workflow-a',
    revision: 0,
    last_node_id: 5,
    last_link_id: 0,
    nodes: [
      { id: 1, type: 'CheckpointLoaderSimple', mode: 0, properties: {}, widgets_values: [MODELS.base.file] },
      { id: 2, type: 'UNETLoader', mode: 0, properties: {}, widgets_values: [MODELS.gated.file, 'default'] },
      { id: 3, type: 'VAELoader', mode: 0, properties: {}, widgets_values: [MODELS.vae.file] },
      { id: 4, type: 'LoraLoader', mode: 0, properties: {}, widgets_values: [MODELS.lora.file, 1, 1] },
      { id: 5, type: 'UpscaleModelLoader', mode: 0, properties: {}, widgets_values: [MODELS.present.file] },
    ],
    links: [],
    groups: [],
    config: {},
    extra: {},
    version: 0.4,
    models: [
      {
        name: MODELS.vae.file,
        url: hfUrl(MODELS.vae.repo, MODELS.vae.file),
        hash: sha256(MODELS.vae.bytes),
        hash_type: 'sha256',
        directory: 'vae',
      },
    ],
    dependencies: {
      checkpoints: [dep(MODELS.base, [hfUrl(MODELS.base.repo, MODELS.base.file)], { display_name: 'E2E Base 1.0' })],
      diffusion_models: [
        dep(MODELS.gated, [hfUrl(MODELS.gated.repo, MODELS.gated.file)], {
          display_name: 'E2E Gated',
          requires_auth: true,
        }),
      ],
      loras: [dep(MODELS.lora, [`https://civitai.com/api/download/models/${MODELS.lora.versionId}`])],
      upscale_models: [dep(MODELS.present, [hfUrl(MODELS.present.repo, MODELS.present.file)])],
    },
  };
}

/** Workflow B: needs only a model that is already there (no prompt). */
function workflowB() {
  return {
    id: 'e2e-workflow-b',
    revision: 0,
    last_node_id: 1,
    last_link_id: 0,
    nodes: [{ id: 1, type: 'UpscaleModelLoader', mode: 0, properties: {}, widgets_values: [MODELS.present.file] }],
    links: [],
    groups: [],
    config: {},
    extra: {},
    version: 0.4,
    dependencies: {
      upscale_models: [
        {
          filename: MODELS.present.file,
          sha256: sha256(MODELS.present.bytes),
          size: MODELS.present.bytes.length,
          urls: [],
        },
      ],
    },
  };
}

interface World {
  root: string;
  comfyuiDir: string;
  modelsRoot: string;
  hubDir: string;
  hub: FakeHub;
  depot: Depot;
  sidecar: DepotServer;
  standIn: StandInComfyui;
  browser: Browser;
  page: Page;
  consoleErrors: string[];
  consoleLines: string[];
}

const world: Partial<World> = {};

/** Waits for an element; on a timeout, says what the page showed instead (toasts, jobs, the sidecar's words). */
async function appears(page: Page, selector: string, what: string, timeout = 15_000): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ timeout });
  } catch (error) {
    const shown = await page.evaluate(() => ({
      toasts: Reflect.get(window, '__standIn').state.toasts,
      jobs: [...document.querySelectorAll('.md-job')].map((row) => row.textContent),
    }));
    throw new Error(`${what} did not appear within ${timeout} ms; the page showed ${JSON.stringify(shown)}`, {
      cause: error,
    });
  }
}

function need<K extends keyof World>(key: K): World[K] {
  const value = world[key];
  if (value === undefined) throw new Error(`e2e set-up did not provide ${key}`);
  return value as World[K];
}

// On a developer machine without Chromium this is skipped; in CI (.ci/run installs it) a missing browser fails.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(
  'the extension in headless Chromium with the real sidecar and the fake hub',
  () => {
    beforeAll(async () => {
      await mkdir(OUTPUT, { recursive: true });
      const root = await mkdtemp(path.join(os.tmpdir(), 'md-e2e-'));
      world.root = root;
      const comfyuiDir = path.join(root, 'ComfyUI');
      const modelsRoot = path.join(comfyuiDir, 'models');
      const hubDir = path.join(root, 'hub');
      world.comfyuiDir = comfyuiDir;
      world.modelsRoot = modelsRoot;
      world.hubDir = hubDir;
      await mkdir(path.join(comfyuiDir, 'custom_nodes'), { recursive: true });
      await writeFile(path.join(comfyuiDir, 'main.py'), '');
      // Already there: the upscaler under its own name; in a hub folder: the VAE under another name.
      await mkdir(path.join(modelsRoot, 'upscale_models'), { recursive: true });
      await writeFile(path.join(modelsRoot, 'upscale_models', MODELS.present.file), MODELS.present.bytes);
      await mkdir(hubDir, { recursive: true });
      await writeFile(path.join(hubDir, 'sdxl-vae-fp16-copy.safetensors'), MODELS.vae.bytes);

      const hub = await createFakeHub({
        // A real token that was not granted access to the refused repository (403 instead of 401).
        hfTokens: [NO_ACCESS_TOKEN],
        repos: [
          { id: MODELS.base.repo, files: [{ path: MODELS.base.file, content: MODELS.base.bytes, lfs: true }] },
          {
            id: MODELS.gated.repo,
            gated: 'manual',
            tokensWithAccess: [GATED_TOKEN],
            files: [{ path: MODELS.gated.file, content: MODELS.gated.bytes, lfs: true }],
          },
          { id: MODELS.vae.repo, files: [{ path: MODELS.vae.file, content: MODELS.vae.bytes, lfs: true }] },
          { id: MODELS.present.repo, files: [{ path: MODELS.present.file, content: MODELS.present.bytes, lfs: true }] },
          {
            id: MODELS.refused.repo,
            gated: 'manual',
            tokensWithAccess: ['hf_someone_else'],
            files: [{ path: MODELS.refused.file, content: MODELS.refused.bytes, lfs: true }],
          },
        ],
        civitaiVersions: [
          {
            id: MODELS.lora.versionId,
            modelType: 'LORA',
            files: [{ name: MODELS.lora.file, content: MODELS.lora.bytes }],
          },
        ],
      });
      world.hub = hub;

      // The packaging under test: the build output installed into ComfyUI/custom_nodes by our installer.
      await installComfyuiExtension({ comfyuiDir });

      // ComfyUI's server hands the settings to the page; the sidecar URL is known once the sidecar listens.
      const settings: Record<string, unknown> = {};
      const standIn = await startStandInComfyui({ comfyuiDir, settings: () => settings });
      world.standIn = standIn;
      const depot = await createDepot({
        modelsRoot,
        hubDirs: [hubDir],
        hfCacheDir: path.join(root, 'hf-cache'),
        hfEndpoint: hub.hfUrl,
        civitaiEndpoint: hub.civitaiUrl,
        // Workflows keep the real hosts; the sidecar rewrites them onto these endpoints.
        allowLoopbackHosts: true,
        indexInBackground: false,
        hashWorkers: 1,
        // Slow enough for the progress panel to be seen moving, fast enough for the budget.
        limitKbps: 6 * 1024,
      });
      world.depot = depot;
      const sidecar = await createServer({
        depot,
        port: 0,
        version: 'e2e',
        allowedOrigins: [standIn.origin],
        progressIntervalMs: 100,
      });
      world.sidecar = sidecar;

      settings['ModelDepot.SidecarUrl'] = `${sidecar.url.replace('http://', 'ws://')}/ws`;

      const browser = await launchChromium();

      world.browser = browser;
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      world.page = page;
      world.consoleErrors = [];
      world.consoleLines = [];
      page.on('console', (message) => {
        world.consoleLines?.push(message.text());
        if (message.type() === 'error') world.consoleErrors?.push(message.text());
      });
      page.on('pageerror', (error) => world.consoleErrors?.push(error.message));
    });

    afterAll(async () => {
      await world.browser?.close();
      await world.standIn?.close();
      await world.sidecar?.close();
      await world.depot?.close();
      await world.hub?.close();
      if (world.root) await rm(world.root, { recursive: true, force: true });
    });

    it('loads the built bundle with no console errors', async () => {
      const page = need('page');
      const origin = need('standIn').origin;
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => Reflect.get(window, '__standIn')?.state.ready === true, undefined, {
        timeout: 10_000,
      });
      const extensions = await page.evaluate(() =>
        Reflect.get(window, '__standIn').state.extensions.map((e: { name: string }) => e.name),
      );
      expect(extensions).toEqual(['ModelDepot']);
      const bundle = await readFile(
        path.join(need('comfyuiDir'), 'custom_nodes', 'comfyui-model-depot', 'web', 'model-depot.js'),
        'utf8',
      );
      // One self-contained file: its only imports are ComfyUI's public shims.
      expect([...bundle.matchAll(/^\s*import\s.*?from\s+["']([^"']+)["']/gm)].map((m) => m[1])).toEqual([
        '/scripts/app.js',
      ]);
      expect(need('consoleErrors')).toEqual([]);
    });

    it('loading a workflow shows the prompt; Download links the present copy, fetches the rest, asks for the gated token', async () => {
      const page = need('page');
      // Connected: our prompt replaces ComfyUI's missing-models warning.
      await page.waitForFunction(
        () => Reflect.get(window, '__standIn').state.settingValues['Comfy.Workflow.ShowMissingModelsWarning'] === false,
        undefined,
        { timeout: 10_000 },
      );
      await page.evaluate((wf) => Reflect.get(window, '__standIn').openWorkflow('workflow-a.json', wf), workflowA());
      await appears(page, '.md-download-prompt [role="dialog"]', 'the download prompt');
      const prompt = page.locator('.md-download-prompt [role="dialog"]');
      const text = (await prompt.textContent()) ?? '';
      expect(text).toContain('E2E Base 1.0');
      expect(text).toContain('E2E Gated');
      expect(text).toContain('Hugging Face token needed');
      expect(text).toContain(`from ${path.join(need('hubDir'), 'sdxl-vae-fp16-copy.safetensors')}`);
      expect(text).toContain('2.1 MB saved');
      expect(await prompt.locator('[data-status="present"]').textContent()).toContain(MODELS.present.file);
      expect(await prompt.locator('[data-status="missing"]').count()).toBe(3);
      expect(await prompt.locator('.md-total-download').textContent()).toBe('12.6 MB');
      await page.screenshot({ path: path.join(OUTPUT, 'prompt.png') });

      // Keyboard: focus starts on Download and Enter presses it.
      await page.keyboard.press('Enter');
      await appears(page, '.md-token-dialog [role="dialog"]', 'the token dialog');
      const dialog = page.locator('.md-token-dialog [role="dialog"]');
      const input = dialog.locator('input.md-token-input');
      expect(await input.getAttribute('type')).toBe('password');
      expect(await input.getAttribute('autocomplete')).toBe('off');
      expect(await dialog.textContent()).toContain('Used for this download only. Not saved.');
      expect(await dialog.textContent()).toContain(MODELS.gated.file);
      await page.screenshot({ path: path.join(OUTPUT, 'token-dialog.png') });

      await input.fill(GATED_TOKEN);
      await dialog.locator('.md-token-submit').click();
      await dialog.waitFor({ state: 'detached' });
      await page.waitForTimeout(600);
      await page.screenshot({ path: path.join(OUTPUT, 'progress-running.png') });

      // The outcome toast comes once every job ended, whether all are ready or some failed.
      await page.waitForFunction(
        () =>
          Reflect.get(window, '__standIn').state.toasts.some((t: { summary: string }) =>
            / models? ready/.test(t.summary),
          ),
        undefined,
        { timeout: 30_000 },
      );
      const states = await page.$$eval('.md-job', (rows) =>
        rows.map((row) => [row.querySelector('.md-job-name')?.textContent, row.getAttribute('data-state')]),
      );
      expect(Object.fromEntries(states)).toEqual({
        [MODELS.vae.file]: 'linked',
        'E2E Base 1.0': 'complete',
        'E2E Gated': 'complete',
        [MODELS.lora.file]: 'complete',
      });
      await page.waitForTimeout(400); // the bars' width transition
      await page.screenshot({ path: path.join(OUTPUT, 'progress-panel.png') });
      const toasts = await page.evaluate(() => Reflect.get(window, '__standIn').state.toasts);
      expect(toasts.find((t: { severity: string }) => t.severity === 'success')?.summary).toBe(
        'Model Depot: 4 models ready',
      );
      expect(await page.evaluate(() => Reflect.get(window, '__standIn').state.refreshCount)).toBeGreaterThanOrEqual(1);
    });

    it("after the downloads the loaders carry no missing-model error, and ComfyUI's own dialog never opened", async () => {
      const page = need('page');
      const frontend = () =>
        page.evaluate(() => {
          const { state } = Reflect.get(window, '__standIn');
          return {
            missingModels: state.missingModels,
            nodesWithErrors: state.liveNodes
              .filter((node: { has_errors: boolean }) => node.has_errors)
              .map((node: { type: string }) => node.type),
            scans: state.missingModelScans,
            dialogs: state.missingModelsDialogs,
            dialogElement: document.getElementById('missing-models-dialog') !== null,
          };
        });
      await page.waitForFunction(() => Reflect.get(window, '__standIn').state.missingModels === null, undefined, {
        timeout: 10_000,
      });
      const state = await frontend();
      // The load's own scan did find the four missing files; the rescan after the downloads finds none.
      expect(state.scans[0]).toBe(4);
      expect(state.scans.at(-1)).toBe(0);
      expect(state.nodesWithErrors).toEqual([]);
      expect(state.dialogs).toBe(0);
      expect(state.dialogElement).toBe(false);
    });

    it('the files are on disk, verified, and the present copy was linked, not downloaded', async () => {
      const modelsRoot = need('modelsRoot');
      const expectations: [string, Buffer][] = [
        [path.join('checkpoints', MODELS.base.file), MODELS.base.bytes],
        [path.join('diffusion_models', MODELS.gated.file), MODELS.gated.bytes],
        [path.join('loras', MODELS.lora.file), MODELS.lora.bytes],
        [path.join('vae', MODELS.vae.file), MODELS.vae.bytes],
      ];
      for (const [relative, bytes] of expectations) {
        expect(sha256(await readFile(path.join(modelsRoot, relative))), relative).toBe(sha256(bytes));
      }
      expect((await lstat(path.join(modelsRoot, 'vae', MODELS.vae.file))).isSymbolicLink()).toBe(true);
      expect(need('hub').bytesServed({ path: `/${MODELS.vae.repo}/resolve/main/${MODELS.vae.file}` })).toBe(0);
      const listed = need('depot')
        .list()
        .map((m) => m.sha256);
      for (const [, bytes] of expectations) expect(listed).toContain(sha256(bytes));
    });

    it('switching tabs back to an answered workflow does not ask again', async () => {
      const page = need('page');
      const checks = () =>
        page.evaluate(
          () => Reflect.get(window, '__standIn').state.sentTypes.filter((t: string) => t === 'check').length,
        );
      await page.evaluate((wf) => Reflect.get(window, '__standIn').openWorkflow('workflow-b.json', wf), workflowB());
      await page.waitForFunction(
        () => Reflect.get(window, '__standIn').state.sentTypes.filter((t: string) => t === 'check').length === 2,
      );
      const before = await checks();
      await page.evaluate(() => Reflect.get(window, '__standIn').switchTab('workflow-a.json'));
      await page.evaluate(() => Reflect.get(window, '__standIn').switchTab('workflow-b.json'));
      await page.evaluate(() => Reflect.get(window, '__standIn').switchTab('workflow-a.json'));
      await page.waitForTimeout(1000);
      expect(await checks()).toBe(before);
      expect(await page.locator('.md-download-prompt').count()).toBe(0);
      // The switch handed over a re-serialized graph: the requirement list survived inside `extra`.
      const graph = await page.evaluate(() => Reflect.get(window, '__standIn').state.graph);
      expect(graph.models).toBeNull();
      expect(Object.keys(graph.extra.dependencies).sort()).toEqual([
        'checkpoints',
        'diffusion_models',
        'loras',
        'upscale_models',
        'vae',
      ]);
      const hooks: string[] = await page.evaluate(() => Reflect.get(window, '__standIn').state.hookCalls);
      expect(hooks.filter((h) => h === 'ModelDepot.beforeConfigureGraph')).toHaveLength(5);
    });

    it('the command "Check models of this workflow" now finds every model present', async () => {
      const page = need('page');
      await page.evaluate(() => Reflect.get(window, '__standIn').runCommand('ModelDepot.CheckWorkflow'));
      await page.waitForFunction(
        () =>
          Reflect.get(window, '__standIn').state.toasts.some(
            (t: { detail?: string }) => t.detail === 'All 5 models of this workflow are present.',
          ),
        undefined,
        { timeout: 10_000 },
      );
      expect(await page.locator('.md-download-prompt').count()).toBe(0);
    });

    it('Cancel in the token dialog fails that download with a clear state and reason', async () => {
      const page = need('page');
      const workflow = {
        id: 'e2e-workflow-refused',
        nodes: [
          { id: 1, type: 'UNETLoader', mode: 0, properties: {}, widgets_values: [MODELS.refused.file, 'default'] },
        ],
        links: [],
        extra: {},
        version: 0.4,
        dependencies: {
          diffusion_models: [
            {
              filename: MODELS.refused.file,
              sha256: sha256(MODELS.refused.bytes),
              size: MODELS.refused.bytes.length,
              urls: [hfUrl(MODELS.refused.repo, MODELS.refused.file)],
              requires_auth: true,
            },
          ],
        },
      };
      await page.evaluate((wf) => Reflect.get(window, '__standIn').openWorkflow('refused.json', wf), workflow);
      await page.locator('.md-download-prompt .md-download').click({ timeout: 10_000 });
      const dialog = page.locator('.md-token-dialog [role="dialog"]');
      await dialog.waitFor({ timeout: 10_000 });
      // A token without access: the sidecar asks again, now for a 403, with the page where access is requested.
      await dialog.locator('input.md-token-input').fill(NO_ACCESS_TOKEN);
      await dialog.locator('.md-token-submit').click();
      const access = page.locator('.md-token-dialog .md-access-link');
      await access.waitFor({ timeout: 10_000 });
      expect(await access.textContent()).toBe('Request access to the model');
      expect(await access.getAttribute('href')).toContain(MODELS.refused.repo);
      expect(await page.locator('.md-token-dialog .md-token-explanation').textContent()).toContain('has no access');
      await page.screenshot({ path: path.join(OUTPUT, 'token-denied.png') });
      await dialog.locator('.md-token-cancel').click();
      const row = page.locator('.md-job', { hasText: MODELS.refused.file });
      await page.waitForFunction(
        (file) =>
          [...document.querySelectorAll('.md-job')].some(
            (el) =>
              el.textContent?.includes(file) && ['failed', 'cancelled'].includes(el.getAttribute('data-state') ?? ''),
          ),
        MODELS.refused.file,
        { timeout: 10_000 },
      );
      expect((await row.locator('.md-job-error').textContent())?.length).toBeGreaterThan(10);
      const toasts: { severity: string; summary: string; detail?: string }[] = await page.evaluate(
        () => Reflect.get(window, '__standIn').state.toasts,
      );
      const failure = toasts.find((t) => t.severity === 'error' && t.summary.startsWith(MODELS.refused.file));
      expect(failure?.detail?.length).toBeGreaterThan(10);
      await page.waitForFunction(
        () =>
          Reflect.get(window, '__standIn').state.toasts.some(
            (t: { summary: string }) => t.summary === 'Model Depot: 0 of 1 models ready, 1 failed',
          ),
        undefined,
        { timeout: 10_000 },
      );
      expect(existsSync(path.join(need('modelsRoot'), 'diffusion_models', MODELS.refused.file))).toBe(false);
      await page.screenshot({ path: path.join(OUTPUT, 'token-cancelled.png') });
    });

    it('a page reload that restores the answered workflow does not ask again, and shows the jobs', async () => {
      const page = need('page');
      const saved = await page.evaluate(() => Reflect.get(window, '__standIn').state.graph);
      await page.reload();
      await page.waitForFunction(() => Reflect.get(window, '__standIn')?.state.ready === true, undefined, {
        timeout: 10_000,
      });
      await page.evaluate((graph) => Reflect.get(window, '__standIn').restoreWorkflow('workflow-a.json', graph), saved);
      // The `hello` of the sidecar lists the jobs it still knows.
      await page.locator('.md-job').nth(3).waitFor({ timeout: 5000 });
      await page.waitForTimeout(700);
      expect(await page.evaluate(() => Reflect.get(window, '__standIn').state.sentTypes)).not.toContain('check');
      expect(await page.locator('.md-download-prompt').count()).toBe(0);
    });

    it('follows the light theme; a model no one can fetch is listed with its reason and only Close', async () => {
      const page = need('page');
      await page.evaluate(() => Reflect.get(window, '__standIn').useLightTheme());
      const workflowC = {
        id: 'e2e-workflow-c',
        nodes: [
          {
            id: 1,
            type: 'LoraLoader',
            mode: 0,
            properties: {},
            widgets_values: ['nowhere-to-be-found.safetensors', 1, 1],
          },
        ],
        links: [],
        extra: {},
        version: 0.4,
      };
      await page.evaluate((wf) => Reflect.get(window, '__standIn').openWorkflow('workflow-c.json', wf), workflowC);
      const prompt = page.locator('.md-download-prompt [role="dialog"]');
      await prompt.waitFor({ timeout: 10_000 });
      expect(await prompt.locator('[data-status="unavailable"]').textContent()).toContain(
        'nowhere-to-be-found.safetensors',
      );
      expect(await prompt.locator('.md-download').count()).toBe(0);
      const background = await prompt.evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(background).toBe('rgb(232, 232, 232)');
      await page.screenshot({ path: path.join(OUTPUT, 'prompt-light.png') });
      await page.keyboard.press('Escape');
      await prompt.waitFor({ state: 'detached' });
    });

    it('with the sidecar down: one toast for several workflows, and the check runs once it is reachable', async () => {
      const context = await need('browser').newContext({ viewport: { width: 1280, height: 860 } });
      try {
        const page = await context.newPage();
        // This page's ComfyUI settings point at a port where nothing listens.
        await page.route('**/api/settings', (route) =>
          route.fulfill({ json: { 'ModelDepot.SidecarUrl': 'ws://127.0.0.1:9/ws' } }),
        );
        await page.goto(`${need('standIn').origin}/`);
        await page.waitForFunction(() => Reflect.get(window, '__standIn')?.state.ready === true, undefined, {
          timeout: 10_000,
        });
        const loraWorkflow = (id: string, file: string) => ({
          id,
          nodes: [{ id: 1, type: 'LoraLoader', mode: 0, properties: {}, widgets_values: [file, 1, 1] }],
          links: [],
          extra: {},
          version: 0.4,
        });
        await page.evaluate(
          (wf) => Reflect.get(window, '__standIn').openWorkflow('one.json', wf),
          loraWorkflow('down-1', 'missing-one.safetensors'),
        );
        await page.evaluate(
          (wf) => Reflect.get(window, '__standIn').openWorkflow('two.json', wf),
          loraWorkflow('down-2', 'missing-two.safetensors'),
        );
        await page.waitForTimeout(1500);
        const toasts: { summary: string; detail?: string }[] = await page.evaluate(
          () => Reflect.get(window, '__standIn').state.toasts,
        );
        expect(toasts).toHaveLength(1);
        expect(toasts[0].summary).toBe('Model Depot: the sidecar is not running');
        // No sidecar, no prompt of ours: ComfyUI's own warning stays on and opens for each workflow.
        expect(
          await page.evaluate(() => {
            const { state } = Reflect.get(window, '__standIn');
            return [state.settingValues['Comfy.Workflow.ShowMissingModelsWarning'], state.missingModelsDialogs];
          }),
        ).toEqual([undefined, 2]);
        expect(toasts[0].detail).toContain('npx model-depot serve');
        await page.screenshot({ path: path.join(OUTPUT, 'sidecar-down.png') });

        const url = `${need('sidecar').url.replace('http://', 'ws://')}/ws`;
        // The user fixes the setting: the extension switches at once.
        await page.evaluate(
          (value) => Reflect.get(window, 'app').extensionManager.setting.set('ModelDepot.SidecarUrl', value),
          url,
        );
        const prompt = page.locator('.md-download-prompt [role="dialog"]');
        await prompt.waitFor({ timeout: 10_000 });
        // Only the workflow on screen is asked about; the other one is asked when its tab comes back.
        expect(await prompt.textContent()).toContain('missing-two.safetensors');
        expect(await prompt.textContent()).not.toContain('missing-one.safetensors');
        const after: { summary: string }[] = await page.evaluate(() => Reflect.get(window, '__standIn').state.toasts);
        expect(after.map((t) => t.summary)).toContain('Model Depot: sidecar connected');
      } finally {
        await context.close();
      }
    });

    it('the token was never kept: not in storage, settings, the page or a console line', async () => {
      const page = need('page');
      const kept = await page.evaluate(() =>
        JSON.stringify({
          local: { ...localStorage },
          session: { ...sessionStorage },
          settings: Reflect.get(window, '__standIn').state.settingValues,
          body: document.body.innerHTML,
          url: location.href,
        }),
      );
      for (const token of [GATED_TOKEN, NO_ACCESS_TOKEN]) {
        expect(kept).not.toContain(token);
        expect(need('consoleLines').join('\n')).not.toContain(token);
      }
      expect(need('consoleErrors')).toEqual([]);
    });
  },
);
