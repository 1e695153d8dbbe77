// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../shared/check-result';
import { CHECK_COMMAND_ID } from '../../extension/create-model-depot-extension';
import { SIDECAR_DOWN_SUMMARY } from '../../extension/connection/sidecar-status-notice';
import { SETTING_IDS } from '../../extension/settings';
import { allPresentResult, sampleAuthRequired, sampleCheckResult, sampleJob } from './fixtures';
import { createFakeComfyApp } from './fake-comfy-app';
import { registerExtension } from './register-extension';
import { startFakeSidecar, until } from './fake-sidecar';
import { reserialize, sampleWorkflow } from './sample-workflow';

const cleanups: (() => unknown)[] = [];
beforeEach(() => {
  localStorage.clear();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.replaceChildren();
});

async function setup(
  checkResult: () => CheckResult = () => sampleCheckResult(),
  settings: Record<string, unknown> = {},
) {
  const sidecar = await startFakeSidecar({ checkResult });
  cleanups.push(() => sidecar.close());
  const comfy = createFakeComfyApp({ [SETTING_IDS.sidecarUrl]: sidecar.url, ...settings });
  const stop = registerExtension(comfy.app, { storage: localStorage, backoff: { initialMs: 20, maxMs: 50 } });
  await comfy.setup();
  // Stop the extension's socket before the server goes, so nothing reconnects after the test.
  cleanups.push(stop);
  const prompt = () => document.querySelector('.md-download-prompt');
  const checks = () => sidecar.received.filter((m) => m.type === 'check').length;
  return { sidecar, comfy, prompt, checks };
}

describe('the ModelDepot extension', () => {
  it('checks a loaded workflow in the background and shows the prompt', async () => {
    const { comfy, prompt, sidecar } = await setup();
    comfy.loadGraphData(sampleWorkflow());
    await until(() => prompt() !== null, 'the prompt');
    const check = sidecar.received.find((m) => m.type === 'check');
    expect(check?.type === 'check' && check.workflow).toMatchObject({ id: sampleWorkflow().id });
  });

  it('does not ask again on a tab switch or a restore of an answered workflow', async () => {
    const { comfy, prompt, checks } = await setup();
    const workflow = sampleWorkflow();
    comfy.loadGraphData(workflow);
    await until(() => prompt() !== null, 'the prompt');
    document.querySelector<HTMLButtonElement>('.md-dismiss')?.click();
    expect(prompt()).toBeNull();

    const saved = comfy.app.graph?.serialize?.();
    expect(saved).toHaveProperty('extra.dependencies.diffusion_models');
    comfy.loadGraphData(reserialize(sampleWorkflow('other-workflow')));
    await until(() => checks() === 2, 'the other workflow checked');
    document.querySelector<HTMLButtonElement>('.md-dismiss')?.click();
    // Back to the first tab: ComfyUI hands over the re-serialized graph.
    comfy.loadGraphData(reserialize(saved));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(checks()).toBe(2);
    expect(prompt()).toBeNull();
  });

  it('shows nothing when everything is present', async () => {
    const { comfy, prompt, checks } = await setup(allPresentResult);
    comfy.loadGraphData(sampleWorkflow());
    await until(() => checks() === 1, 'the check');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(prompt()).toBeNull();
    expect(comfy.toasts).toEqual([]);
  });

  it('says once how to start the sidecar when it is not running, not once per workflow', async () => {
    const comfy = createFakeComfyApp({ [SETTING_IDS.sidecarUrl]: 'ws://127.0.0.1:9/ws' });
    cleanups.push(registerExtension(comfy.app, { backoff: { initialMs: 10, maxMs: 20 } }));
    await comfy.setup();
    comfy.loadGraphData(sampleWorkflow('a'));
    comfy.loadGraphData(sampleWorkflow('b'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const down = comfy.toasts.filter((t) => t.summary === SIDECAR_DOWN_SUMMARY);
    expect(down).toHaveLength(1);
    expect(down[0].detail).toContain('npx model-depot serve');
    expect(down[0].detail).toContain('npm start');
    expect(comfy.toasts).toHaveLength(1);
  });

  it('Download starts the jobs; a gated model opens the token dialog; the token goes out once and is not kept', async () => {
    const { comfy, prompt, sidecar } = await setup();
    const panel = document.createElement('div');
    comfy.renderBottomPanel(panel);
    comfy.loadGraphData(sampleWorkflow());
    await until(() => prompt() !== null, 'the prompt');
    document.querySelector<HTMLButtonElement>('.md-download')?.click();
    await until(() => sidecar.received.some((m) => m.type === 'install'), 'install');
    const install = sidecar.received.find((m) => m.type === 'install');
    expect(install?.type === 'install' && install.items.map((i) => i.filename)).toEqual([
      'sd_xl_base_1.0.safetensors',
      'flux1-dev.safetensors',
      'detail.safetensors',
    ]);
    await until(() => panel.querySelectorAll('.md-job').length === 3, 'jobs in the panel');

    sidecar.broadcast(sampleAuthRequired({ jobIds: ['job-2'] }));
    await until(() => document.querySelector('.md-token-dialog') !== null, 'the token dialog');
    const input = document.querySelector<HTMLInputElement>('.md-token-input');
    if (!input) throw new Error('no token input');
    input.value = 'hf_abc123';
    input.dispatchEvent(new Event('input'));
    document.querySelector<HTMLButtonElement>('.md-token-submit')?.click();
    await until(() => sidecar.received.some((m) => m.type === 'token'), 'the token message');
    expect(sidecar.received.filter((m) => m.type === 'token')).toEqual([
      { type: 'token', provider: 'huggingface', token: 'hf_abc123' },
    ]);
    expect(input.value).toBe('');
    expect(document.querySelector('.md-token-dialog')).toBeNull();
    const stored = JSON.stringify({
      local: { ...localStorage },
      session: { ...sessionStorage },
      settings: comfy.settingValues(),
    });
    expect(stored).not.toContain('hf_abc123');
  });

  it('a token without access (403) shows the job waiting for a token while the new dialog is open', async () => {
    const { comfy, sidecar } = await setup();
    const panel = document.createElement('div');
    comfy.renderBottomPanel(panel);
    await until(() => sidecar.connections() === 1, 'connection');
    const row = () => panel.querySelector<HTMLElement>('[data-job-id="job-2"]');
    // The job resumed with the first token: the sidecar says so at once, then its transfer gets a 403.
    sidecar.broadcast({
      type: 'progress',
      job: sampleJob({ id: 'job-2', state: 'queued', bytes: 0, speed: 0, eta: undefined }),
    });
    await until(() => row()?.dataset.state === 'queued', 'the queued job');
    // Its `waiting-for-token` progress is throttled by the sidecar and comes later: the authRequired alone must do.
    sidecar.broadcast(sampleAuthRequired({ jobIds: ['job-2'], reason: 'denied' }));
    await until(() => document.querySelector('.md-token-dialog') !== null, 'the token dialog');
    expect(row()?.dataset.state).toBe('waiting-for-token');
    expect(row()?.querySelector('.md-job-state')?.textContent).toBe('Waiting for token');
    expect(panel.querySelector('.md-panel-summary')?.textContent).toBe('1 waiting for a token');
  });

  it('Cancel in the token dialog cancels that provider', async () => {
    const { sidecar } = await setup();
    await until(() => sidecar.connections() === 1, 'connection');
    sidecar.broadcast(sampleAuthRequired({ provider: 'civitai', tokenUrl: 'https://civitai.com/user/account' }));
    await until(() => document.querySelector('.md-token-dialog') !== null, 'the token dialog');
    document.querySelector<HTMLButtonElement>('.md-token-cancel')?.click();
    await until(() => sidecar.received.some((m) => m.type === 'cancel'), 'cancel');
    expect(sidecar.received.find((m) => m.type === 'cancel')).toEqual({ type: 'cancel', provider: 'civitai' });
  });

  it('toasts a failure with its reason, then the outcome, and refreshes the model lists', async () => {
    const { comfy, prompt, sidecar } = await setup();
    comfy.loadGraphData(sampleWorkflow());
    await until(() => prompt() !== null, 'the prompt');
    document.querySelector<HTMLButtonElement>('.md-download')?.click();
    await until(() => comfy.toasts.some((t) => t.summary?.includes('queued')), 'queued toast');
    sidecar.broadcast({
      type: 'jobDone',
      job: sampleJob({ id: 'job-1', filename: 'sd_xl_base_1.0.safetensors', state: 'linked', linkKind: 'symlink' }),
    });
    sidecar.broadcast({
      type: 'jobFailed',
      job: sampleJob({
        id: 'job-2',
        state: 'failed',
        error: { code: 'AUTH_DENIED', message: 'The token has no access to black-forest-labs/FLUX.1-dev.' },
      }),
    });
    sidecar.broadcast({
      type: 'jobDone',
      job: sampleJob({ id: 'job-3', filename: 'detail.safetensors', state: 'complete' }),
    });
    await until(() => comfy.toasts.some((t) => t.summary?.includes('2 of 3 models ready')), 'outcome toast');
    const failure = comfy.toasts.find((t) => t.severity === 'error');
    expect(failure).toMatchObject({
      summary: 'flux1-dev.safetensors: download failed',
      detail: 'The token has no access to black-forest-labs/FLUX.1-dev.',
    });
    expect(comfy.refreshes()).toBe(1);
  });

  it('toasts success once every job of a Download is done', async () => {
    const { comfy, prompt, sidecar } = await setup();
    comfy.loadGraphData(sampleWorkflow());
    await until(() => prompt() !== null, 'the prompt');
    document.querySelector<HTMLButtonElement>('.md-download')?.click();
    await until(() => comfy.toasts.some((t) => t.summary?.includes('queued')), 'queued toast');
    for (const id of ['job-1', 'job-2', 'job-3'])
      sidecar.broadcast({ type: 'jobDone', job: sampleJob({ id, state: 'complete' }) });
    await until(() => comfy.toasts.some((t) => t.severity === 'success'), 'success toast');
    expect(comfy.toasts.find((t) => t.severity === 'success')?.summary).toBe('Model Depot: 3 models ready');
    expect(comfy.refreshes()).toBe(1);
  });

  it('the command checks the current workflow again, even when answered', async () => {
    const { comfy, prompt, checks } = await setup();
    comfy.loadGraphData(sampleWorkflow());
    await until(() => prompt() !== null, 'the prompt');
    document.querySelector<HTMLButtonElement>('.md-dismiss')?.click();
    await comfy.runCommand(CHECK_COMMAND_ID);
    await until(() => prompt() !== null, 'the prompt again');
    expect(checks()).toBe(2);
  });

  it('the command says so when everything is present', async () => {
    const { comfy } = await setup(allPresentResult);
    comfy.loadGraphData(sampleWorkflow());
    await comfy.runCommand(CHECK_COMMAND_ID);
    await until(() => comfy.toasts.some((t) => t.detail === 'The model of this workflow is present.'), 'the toast');
    expect(document.querySelector('.md-download-prompt')).toBeNull();
  });

  it('does not check on load when the setting is off', async () => {
    const { comfy, checks, sidecar } = await setup(() => sampleCheckResult(), { [SETTING_IDS.checkOnLoad]: false });
    await until(() => sidecar.connections() === 1, 'connection');
    comfy.loadGraphData(sampleWorkflow());
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(checks()).toBe(0);
  });

  it('sends a changed bandwidth limit to the sidecar (0 = no limit)', async () => {
    const { comfy, sidecar } = await setup();
    await until(() => sidecar.connections() === 1, 'connection');
    comfy.changeSetting(SETTING_IDS.bandwidthLimit, 500);
    comfy.changeSetting(SETTING_IDS.bandwidthLimit, 0);
    await until(() => sidecar.received.filter((m) => m.type === 'setLimit').length === 2, 'two setLimit');
    expect(sidecar.received.filter((m) => m.type === 'setLimit')).toEqual([
      { type: 'setLimit', kbps: 500 },
      { type: 'setLimit', kbps: null },
    ]);
  });
});
