import type { Command } from 'commander';
import { DepotError } from '../../shared/errors';
import { TERMINAL_JOB_STATES } from '../../shared/job';
import { TOKEN_PAGES } from '../../shared/protocol';
import type { Requirement } from '../../shared/requirement';
import type { TuiDepot } from '../tui/tui-app';
import { dependenciesSection } from '../../shared/workflow/dependencies-section';
import { usableRequirements } from '../../shared/workflow/usable-requirements';
import { zRepoType } from '../services/compare/compare-schema';
import { hfRepoRequirements } from '../services/compare/hf-repo-requirements';
import { resolveCliContext, type CliContext } from './cli-context';
import { createCliDepot } from './create-cli-depot';
import { readWorkflowJson } from './read-workflow-json';
import { parseLimitFlag } from './parse-limit-flag';
import { runAction } from './run-action';
import { findCommandSidecar } from './through-sidecar/find-sidecar';
import { connectRemoteDepot, type WorkingDepot } from './through-sidecar/remote-depot';
import { openWanGpDepot } from './wangp/open-wangp-depot';
import { wanGpTuiLabels } from './wangp/wangp-tui-labels';
import { wanGpCheckInput } from '../services/wangp/wangp-check-input';

interface TuiFlags {
  limit?: string | boolean;
  configFile?: string;
  hfRepo?: string;
  repoType?: string;
  revision?: string;
  category?: string;
  quantization?: string;
}

/** The terminal UI is one client of the depot; token requests for its jobs come back to it. */
const TUI_CLIENT = 'tui';

export function registerTuiCommand(program: Command): void {
  program
    .command('tui')
    .description('the terminal UI: pick models, link and download them with live progress')
    .argument('[workflow]', 'workflow JSON file (none: the models of WanGP, with --wan2gp or wan2gp_directory)')
    .option('--hf-repo <id>', 'the model files of a HuggingFace repository instead of a workflow')
    .option('--repo-type <type>', 'with --hf-repo: model, dataset or space', 'model')
    .option('--revision <rev>', 'with --hf-repo: branch, tag or commit', 'main')
    .option('--category <folder>', 'with --hf-repo: the folder for files whose path names none', 'checkpoints')
    .option('--quantization <q>', 'WanGP: bf16, int8 or fp8, which file of each transformer (default int8)')
    .option('--limit <kbps>', "bandwidth cap in KB/s (default: the config; beside a sidecar, it sets the sidecar's)")
    .option('--no-limit', 'no bandwidth cap')
    .option('--config-file <file>', "the same as --config (the WanGP downloader's name for it)")
    .action(
      runAction(async (workflow: string | undefined, flags: TuiFlags, command: Command) =>
        tuiAction(workflow, flags, command),
      ),
    );
}

async function tuiAction(workflowFile: string | undefined, flags: TuiFlags, command: Command): Promise<number> {
  if (workflowFile !== undefined && flags.hfRepo !== undefined) {
    throw new DepotError(
      'BAD_INPUT',
      'Give a workflow file or a repository, not both: model-depot tui WORKFLOW.json, or model-depot tui --hf-repo ORG/NAME',
    );
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new DepotError('BAD_INPUT', 'The terminal UI needs a terminal; for scripts use `model-depot install --yes`.');
  }
  if (flags.configFile !== undefined && command.optsWithGlobals().config === undefined) {
    command.setOptionValueWithSource('config', flags.configFile, 'cli');
  }
  const limit = parseLimitFlag(flags.limit);
  const ctx = await resolveCliContext(command);
  if (workflowFile === undefined && flags.hfRepo === undefined) {
    if (ctx.wan2gpDir === undefined) {
      throw new DepotError(
        'BAD_INPUT',
        'Give a workflow file, a repository or a WanGP folder: model-depot tui WORKFLOW.json, ' +
          'model-depot tui --hf-repo ORG/NAME, or model-depot --wan2gp DIR tui (or wan2gp_directory in the config).',
      );
    }
    return wanGpTui(ctx, flags, limit);
  }
  const checkInput =
    workflowFile !== undefined ? await readWorkflowJson(workflowFile) : await repoCheckInput(flags, ctx);
  usableRequirements(checkInput);
  const sidecar = await findCommandSidecar(ctx);
  const depot: WorkingDepot = sidecar
    ? await connectRemoteDepot(sidecar, { tokens: { huggingface: ctx.env.hfToken, civitai: ctx.env.civitaiToken } })
    : await createCliDepot(ctx, { limitKbps: limit === undefined ? ctx.config.bandwidth_limit_kb : limit });
  const started = new Set<string>();
  try {
    await depot.indexed;
    // The sidecar downloads with its own cap (its config); only a cap given here on the command line changes it.
    if (sidecar && limit !== undefined) depot.setLimit(limit);
    const title = workflowFile ?? `${flags.hfRepo}@${flags.revision}`;
    // Ink (through is-in-ci) draws only the last frame when any CI variable is set. This command has checked that it
    // runs on a terminal, so it says so before ink is loaded; loading it here also keeps other commands' start fast.
    process.env.CI = '0';
    const { runTui } = await import('../tui/run-tui');
    await runTui({ depot: tuiDepotOf(depot, checkInput, started), title, clientId: TUI_CLIENT, env: process.env });
    return 0;
  } finally {
    // Quitting stops this UI's downloads, partial files kept, as closing a depot of its own does; a sidecar would
    // otherwise carry them on for nobody.
    if (sidecar) {
      for (const id of started) {
        const job = depot.job(id);
        if (job && !TERMINAL_JOB_STATES.has(job.state)) depot.cancel(id);
      }
    }
    await depot.close();
  }
}

/** The TUI over every visible WanGP model, on a depot whose models root is WanGP's ckpts folder. */
async function wanGpTui(ctx: CliContext, flags: TuiFlags, limit: number | null | undefined): Promise<number> {
  const { catalog, depot } = await openWanGpDepot(ctx, {
    quantization: flags.quantization,
    limitKbps: limit === undefined ? ctx.config.bandwidth_limit_kb : limit,
  });
  try {
    process.env.CI = '0';
    const { runTui } = await import('../tui/run-tui');
    await runTui({
      depot: { ...tuiDepotOf(depot, wanGpCheckInput(catalog.models)), labels: wanGpTuiLabels(catalog.models) },
      title: `WanGP ${catalog.root} · ${catalog.quantization}`,
      clientId: TUI_CLIENT,
      env: process.env,
    });
    return 0;
  } finally {
    await depot.close();
  }
}

async function repoCheckInput(flags: TuiFlags, ctx: CliContext): Promise<unknown> {
  const repoType = zRepoType.safeParse(flags.repoType);
  if (!repoType.success)
    throw new DepotError('BAD_INPUT', `--repo-type is model, dataset or space; got "${flags.repoType}".`);
  const requirements = await hfRepoRequirements({
    repoId: flags.hfRepo ?? '',
    repoType: repoType.data,
    revision: flags.revision,
    hubUrl: ctx.env.hfEndpoint,
    token: ctx.env.hfToken,
    defaultCategory: flags.category,
  });
  if (requirements.length === 0) throw new DepotError('NOT_FOUND', `${flags.hfRepo} has no model files.`);
  return dependenciesSection(requirements);
}

/** The TUI's view of a depot, bound to one model list; the ids of the jobs it starts are added to `started`. */
function tuiDepotOf(depot: WorkingDepot, checkInput: unknown, started = new Set<string>()): TuiDepot {
  return {
    check: () => depot.check(checkInput),
    install: async (items: Requirement[], options) => {
      const jobs = await depot.install(items, { clientId: options.clientId, waitForToken: true });
      for (const job of jobs) started.add(job.id);
      return jobs;
    },
    provideToken: (provider, token, options) => {
      depot.provideToken(provider, token, options);
    },
    cancelWaiting: (provider, clientId) => {
      depot.cancelWaiting(provider, clientId);
    },
    resetMetadataCache: () => depot.resetMetadataCache(),
    onJob: (listener) => {
      const offs = [depot.on('progress', listener), depot.on('jobDone', listener), depot.on('jobFailed', listener)];
      return () => {
        for (const off of offs) off();
      };
    },
    onAuthRequired: (listener) =>
      depot.on('authRequired', (event) => listener({ ...event, tokenUrl: TOKEN_PAGES[event.provider] })),
  };
}
