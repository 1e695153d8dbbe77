import type { CheckResult, Provider } from '../shared/check-result';
import type { AuthRequiredMessage, ServerMessage } from '../shared/protocol';
import type { Job } from '../shared/job';
import type { Requirement } from '../shared/requirement';
import { createAnsweredWorkflows, type StorageLike } from './answered-workflows';
import { clearMissingModelMarks } from './comfyui/clear-missing-model-marks';
import type { ComfyAppLike, ComfyExtensionDefinition } from './comfyui/comfy-app-types';
import { type DownloadPrompt, needsPrompt, showDownloadPrompt } from './dialogs/download-prompt';
import { createJobReporter } from './jobs/job-reporter';
import { createProgressPanel } from './jobs/progress-panel';
import { createMissingModelsWarning, type MissingModelsWarning } from './comfyui/missing-models-warning';
import { writeModelHashes } from './comfyui/write-model-hashes';
import { createSettings, readSettings } from './settings';
import { createSidecarClient, type SidecarClient, type WebSocketConstructor } from './connection/sidecar-client';
import { createSidecarStatusNotice } from './connection/sidecar-status-notice';
import { createToaster } from './dialogs/toasts';
import { type TokenDialog, showTokenDialog } from './dialogs/token-dialog';
import { captureRequirements, workflowKey } from './workflow-identity';

export interface ModelDepotExtensionOptions {
  app: ComfyAppLike;
  /** The browser's WebSocket (a test passes jsdom's). */
  WebSocket: WebSocketConstructor;
  doc: Document;
  /** Shared with the sidecar: `shared/extract-requirements.ts`. */
  extractRequirements(json: unknown): { requirements: Requirement[] };
  /** Keeps the answered-workflow keys across reloads (default none). Never holds anything else. */
  storage?: StorageLike | null;
  /** Backoff of the sidecar connection (defaults in sidecar-client.ts). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Stops the extension for good: closes its socket and dialogs (tests; ComfyUI never unloads extensions). */
  signal?: AbortSignal;
}

export const EXTENSION_NAME = 'ModelDepot';
export const CHECK_COMMAND_ID = 'ModelDepot.CheckWorkflow';
export const HASHES_COMMAND_ID = 'ModelDepot.SaveWithModelHashes';
export const PANEL_TAB_ID = 'model-depot-downloads';

/**
 * The ComfyUI extension: hooks workflow loads, asks the sidecar what each workflow needs, shows the prompt, the
 * token dialog and the progress panel. All state lives in this closure (one per registration).
 */
export function createModelDepotExtension(options: ModelDepotExtensionOptions): ComfyExtensionDefinition {
  const { app, doc } = options;
  const toast = createToaster({ app, doc });
  const answered = createAnsweredWorkflows({ storage: options.storage });
  const statusNotice = createSidecarStatusNotice(toast);
  const reporter = createJobReporter({ toast, onFilesReady: (jobs) => refreshModelLists(jobs) });
  const checking = new Set<string>();
  const tokenDialogs = new Map<Provider, TokenDialog>();
  let client: SidecarClient | null = null;
  let currentKey: string | undefined;
  let lastWorkflow: unknown;
  let prompt: { key: string; view: DownloadPrompt } | null = null;
  // Made on first use: ComfyUI's settings store exists by `setup`, not when the extension is registered.
  let warning: MissingModelsWarning | undefined;
  const missingModelsWarning = () => {
    warning ??= createMissingModelsWarning({ settings: app.extensionManager?.setting, storage: options.storage });
    return warning;
  };

  const settings = () => readSettings(app.extensionManager?.setting);

  const panel = createProgressPanel({
    doc,
    onCancel: (jobId) => {
      if (!ensureClient().send({ type: 'cancel', jobId })) toastNotConnected('The job was not cancelled.');
    },
  });

  options.signal?.addEventListener('abort', () => {
    warning?.restore();
    client?.stop();
    prompt?.view.close();
    for (const dialog of tokenDialogs.values()) dialog.close();
  });

  function ensureClient(): SidecarClient {
    if (client) return client;
    client = createSidecarClient({
      url: settings().sidecarUrl,
      WebSocket: options.WebSocket,
      backoff: options.backoff,
      onMessage: handleMessage,
      onStatus: (status, info) => {
        statusNotice(status, info);
        // Our prompt replaces ComfyUI's missing-models warning only while the sidecar answers.
        if (status === 'open') missingModelsWarning().suppress();
        if (status === 'closed') missingModelsWarning().restore();
        // The user's bandwidth cap outlives sidecar restarts.
        const limit = settings().bandwidthLimitKbps;
        if (status === 'open' && limit > 0) client?.send({ type: 'setLimit', kbps: limit });
      },
    });
    if (!options.signal?.aborted) client.start();
    return client;
  }

  function toastNotConnected(what: string): void {
    toast({ severity: 'error', summary: 'Model Depot: not connected to the sidecar', detail: what });
  }

  function handleMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'hello':
        for (const job of message.jobs) reporter.updated(job, false);
        panel.setJobs(message.jobs);
        return;
      case 'progress':
      case 'jobDone':
      case 'jobFailed':
        panel.update(message.job);
        reporter.updated(message.job, message.type === 'jobFailed');
        return;
      case 'authRequired':
        panel.showWaitingForToken(message.jobIds);
        openTokenDialog(message);
        return;
      case 'error':
        // Answers to our own requests are handled where they were made.
        if (message.id === undefined) {
          toast({ severity: 'error', summary: 'Model Depot', detail: message.error.message });
        }
        return;
      default:
        return;
    }
  }

  function refreshModelLists(jobs: readonly Job[]): void {
    // New files must appear in the loaders' combo lists, and the loaders lose their missing-model marks, without a
    // page reload.
    Promise.resolve(app.refreshComboInNodes?.())
      .then(() => clearMissingModelMarks({ app, targetPaths: jobs.map((job) => job.targetPath) }))
      .catch((error: unknown) => {
        console.warn('model-depot: refreshing the model lists failed', error instanceof Error ? error.message : error);
      });
  }

  function openTokenDialog(request: AuthRequiredMessage): void {
    tokenDialogs.get(request.provider)?.close();
    const dialog = showTokenDialog({
      doc,
      request,
      onSubmit: (token) => {
        tokenDialogs.delete(request.provider);
        let sent: boolean;
        try {
          sent = ensureClient().send({ type: 'token', provider: request.provider, token });
        } catch (error) {
          // Only our own validation throws here, and its message names the field, never the value.
          toast({ severity: 'error', summary: 'Model Depot: the token was not sent', detail: errorText(error) });
          return;
        }
        if (!sent) toastNotConnected('The token was not sent; start the download again once the sidecar is up.');
      },
      onCancel: () => {
        tokenDialogs.delete(request.provider);
        ensureClient().send({ type: 'cancel', provider: request.provider });
      },
    });
    tokenDialogs.set(request.provider, dialog);
  }

  function showPrompt(key: string, result: CheckResult): void {
    prompt?.view.close();
    const view = showDownloadPrompt({
      doc,
      result,
      onDownload: (items) => {
        prompt = null;
        answered.add(key);
        void startInstall(items);
      },
      onDismiss: () => {
        prompt = null;
        answered.add(key);
      },
    });
    prompt = { key, view };
  }

  async function startInstall(items: Requirement[]): Promise<void> {
    try {
      const jobs = await ensureClient().install(items);
      panel.setJobs(jobs);
      toast({
        severity: 'info',
        summary: `Model Depot: ${jobs.length} model${jobs.length === 1 ? '' : 's'} queued`,
        detail: 'Progress is in the "Model downloads" tab of the bottom panel.',
        life: 5000,
      });
      reporter.started(jobs);
    } catch (error) {
      toast({ severity: 'error', summary: 'Model Depot: the download did not start', detail: errorText(error) });
    }
  }

  async function check(key: string, workflow: unknown, explicit: boolean): Promise<void> {
    checking.add(key);
    try {
      const result = await ensureClient().check({ workflow });
      // The user moved to another workflow meanwhile: ask when they come back to this one.
      if (!explicit && key !== currentKey) return;
      if (needsPrompt(result)) {
        showPrompt(key, result);
      } else {
        answered.add(key);
        if (explicit) {
          const n = result.items.length;
          const detail =
            n === 1 ? 'The model of this workflow is present.' : `All ${n} models of this workflow are present.`;
          toast({ severity: 'success', summary: 'Model Depot', detail, life: 5000 });
        }
      }
    } catch (error) {
      toast({ severity: 'error', summary: 'Model Depot: the check failed', detail: errorText(error) });
    } finally {
      checking.delete(key);
    }
  }

  function onWorkflowLoaded(graphData: unknown): void {
    const { requirements } = options.extractRequirements(graphData);
    captureRequirements(graphData, options.extractRequirements);
    const key = workflowKey(graphData, requirements);
    currentKey = key;
    lastWorkflow = graphData;
    if (prompt && prompt.key !== key) {
      prompt.view.close();
      prompt = null;
    }
    if (requirements.length === 0 || answered.has(key) || checking.has(key)) return;
    if (!settings().checkOnLoad) return;
    // A snapshot: ComfyUI goes on to configure (and may change) the object it passed us.
    void check(key, structuredClone(graphData), false);
  }

  /** The open workflow and what it needs, or undefined after telling the user there is nothing to check. */
  function openWorkflowToCheck(): { workflow: unknown; requirements: Requirement[] } | undefined {
    const workflow = app.graph?.serialize?.() ?? lastWorkflow;
    if (workflow === undefined || workflow === null) {
      toast({ severity: 'info', summary: 'Model Depot', detail: 'No workflow is open.', life: 4000 });
      return undefined;
    }
    const { requirements } = options.extractRequirements(workflow);
    if (requirements.length === 0) {
      toast({ severity: 'info', summary: 'Model Depot', detail: 'This workflow names no models.', life: 4000 });
      return undefined;
    }
    if (ensureClient().status() !== 'open') {
      toast({
        severity: 'info',
        summary: 'Model Depot',
        detail: 'Waiting for the sidecar: this runs as soon as it is reachable.',
        life: 5000,
      });
    }
    return { workflow, requirements };
  }

  function checkCurrentWorkflow(): void {
    const open = openWorkflowToCheck();
    // Not awaited: a command must not hang while the sidecar is away.
    if (open) void check(workflowKey(open.workflow, open.requirements), structuredClone(open.workflow), true);
  }

  function writeHashesIntoCurrentWorkflow(): void {
    const open = openWorkflowToCheck();
    if (open) void writeHashes(structuredClone(open.workflow));
  }

  async function writeHashes(workflow: unknown): Promise<void> {
    let result: CheckResult;
    try {
      result = await ensureClient().check({ workflow });
    } catch (error) {
      toast({ severity: 'error', summary: 'Model Depot: the check failed', detail: errorText(error) });
      return;
    }
    const written = writeModelHashes({ app, result });
    const n = written.written.length;
    const notes: string[] = [];
    if (written.unhashed.length > 0) {
      notes.push(
        `No SHA-256 known yet for ${written.unhashed.join(', ')}: run model-depot annotate on the saved file.`,
      );
    }
    const absent = result.items.filter((item) => item.status !== 'present' && item.status !== 'linkable').length;
    if (absent > 0) notes.push(`${absent} model${absent === 1 ? ' is' : 's are'} not on this machine and got no hash.`);
    if (n === 0) {
      toast({ severity: 'warn', summary: 'Model Depot: no hash written', detail: notes.join(' ') || undefined });
      return;
    }
    const save = written.markedModified
      ? 'Save the workflow to keep them.'
      : 'Save the workflow (Ctrl+S) to keep them.';
    toast({
      severity: 'success',
      summary: `Model Depot: SHA-256 of ${n} model${n === 1 ? '' : 's'} written into this workflow`,
      detail: [save, ...notes].join(' '),
      life: 8000,
    });
  }

  return {
    name: EXTENSION_NAME,
    settings: createSettings({
      onSidecarUrlChange: (url) => client?.setUrl(url),
      onBandwidthLimitChange: (kbps) => {
        if (!ensureClient().send({ type: 'setLimit', kbps }))
          toastNotConnected('The new bandwidth limit applies once it is up.');
      },
    }),
    commands: [
      {
        id: CHECK_COMMAND_ID,
        label: 'Check models of this workflow',
        icon: 'pi pi-download',
        function: checkCurrentWorkflow,
      },
      {
        id: HASHES_COMMAND_ID,
        label: 'Save with model hashes',
        icon: 'pi pi-verified',
        function: writeHashesIntoCurrentWorkflow,
      },
    ],
    menuCommands: [{ path: ['Extensions', 'Model Depot'], commands: [CHECK_COMMAND_ID, HASHES_COMMAND_ID] }],
    bottomPanelTabs: [
      { id: PANEL_TAB_ID, title: 'Model downloads', type: 'custom', render: (container) => panel.mount(container) },
    ],
    setup() {
      missingModelsWarning();
      // Best effort: a page that goes away gives the user's value back now; otherwise the next start does.
      doc.defaultView?.addEventListener('pagehide', () => warning?.restore());
      ensureClient();
    },
    beforeConfigureGraph(graphData) {
      // Never block or break a workflow load: the check runs in the background, and a bug here only costs a warning.
      try {
        ensureClient();
        onWorkflowLoaded(graphData);
      } catch (error) {
        console.warn('model-depot: could not check this workflow:', errorText(error));
      }
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
