import type { Command } from 'commander';
import { DepotError } from '../../../shared/errors';
import type { Job } from '../../../shared/job';
import type { AuthRequiredEvent, Depot } from '../../services/depot/create-depot';
import { usableRequirements } from '../../../shared/workflow/usable-requirements';
import { loadCliCatalogs } from '../catalog/cli-catalogs';
import { createCliDepot } from '../create-cli-depot';
import { readWorkflowJson } from '../read-workflow-json';
import { resolveCliContext, type CliContext } from '../cli-context';
import { runAction } from '../run-action';
import { formatInstallPlan, planHasWork } from './install-plan';
import { jobCountsLine } from './job-counts-line';
import { createInstallProgress, type InstallProgress } from './install-progress';
import { askYesNo, readHiddenLine } from './install-terminal-input';
import { findCommandSidecar } from '../through-sidecar/find-sidecar';
import { connectRemoteDepot, type WorkingDepot } from '../through-sidecar/remote-depot';

// The TUI command imports it from here.
import { parseLimitFlag } from '../parse-limit-flag';

interface InstallFlags {
  yes?: boolean;
  limit?: string | boolean;
  connections?: string;
  /** `--pick NAME=URL-or-index`, repeatable. */
  pick?: string[];
}

/** The client id of the terminal: the only "client" an install started here can ask for a token. */
const CLI_CLIENT = 'cli';

const PROVIDER_NAMES = { huggingface: 'HuggingFace', civitai: 'Civitai' } as const;

export function registerInstallCommand(program: Command): void {
  program
    .command('install')
    .description('link and download the models a workflow needs, with progress bars')
    .argument('<workflow>', 'workflow JSON file')
    .option('--yes', 'do not ask before installing (required when stdin is not a terminal)')
    .option('--limit <kbps>', 'bandwidth cap in KB/s (default: the config)')
    .option('--no-limit', 'no bandwidth cap')
    .option('--connections <n>', 'connections per large file, 1 to 16 (default: the config, 8)')
    .option('--comfyui <dir>', 'a ComfyUI install: DIR/models and the folders of its extra_model_paths.yaml')
    .option(
      '--pick <name=choice>',
      'choose among catalog candidates for a file: NAME=NUMBER (as check lists them) or NAME=URL (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(
      runAction(async (file: string, flags: InstallFlags, command: Command) => installAction(file, flags, command)),
    );
}

async function installAction(file: string, flags: InstallFlags, command: Command): Promise<number> {
  const limit = parseLimitFlag(flags.limit);
  const picks = parsePicks(flags.pick ?? []);
  const workflow = await readWorkflowJson(file);
  // Bad input is bad input even while another model-depot holds the models root: judge it before taking the lock.
  usableRequirements(workflow);
  const ctx = await resolveCliContext(command);
  const interactive = process.stdin.isTTY === true;
  if (!flags.yes && !interactive) {
    throw new DepotError('BAD_INPUT', 'stdin is not a terminal, so install cannot ask before starting: pass --yes.');
  }
  const depot: WorkingDepot =
    (await sidecarDepot(ctx)) ??
    (await createCliDepot(ctx, {
      limitKbps: limit === undefined ? ctx.config.bandwidth_limit_kb : limit,
      connections: flags.connections,
    }));
  try {
    await depot.indexed;
    const { catalogs } = await loadCliCatalogs(ctx, command);
    const plan = await depot.check(workflow, { catalogs, picks });
    const out = ctx.json ? process.stderr : process.stdout;
    if (!ctx.quiet) out.write(formatInstallPlan(plan));
    if (!planHasWork(plan)) {
      const failures = plan.summary.conflict + plan.summary.unavailable;
      if (ctx.json) process.stdout.write(`${JSON.stringify({ plan, jobs: [] })}\n`);
      else if (!ctx.quiet && failures === 0) out.write('Nothing to do: every model is in place.\n');
      return failures > 0 ? 1 : 0;
    }
    if (!flags.yes && !(await askYesNo('Proceed? [y/N] '))) {
      process.stderr.write('Nothing was changed.\n');
      return 1;
    }
    const jobs = await runInstall(
      depot,
      plan.items.map((i) => i.requirement),
      interactive,
      ctx,
    );
    if (ctx.json) process.stdout.write(`${JSON.stringify({ plan, jobs })}\n`);
    // Each failure was printed once already, with its reason, by the progress view as the job ended.
    else if (!ctx.quiet) out.write(`${jobCountsLine(jobs)}\n`);
    if (!interactive && jobs.some((j) => j.error?.code === 'AUTH_REQUIRED' || j.error?.code === 'AUTH_DENIED')) {
      process.stderr.write(NO_TERMINAL_TOKEN_HINT);
    }
    return jobs.some((j) => j.state === 'failed' || j.state === 'cancelled') ? 1 : 0;
  } finally {
    await depot.close();
  }
}

async function runInstall(
  depot: WorkingDepot,
  requirements: Parameters<Depot['install']>[0],
  interactive: boolean,
  ctx: CliContext,
): Promise<Job[]> {
  const progress = createInstallProgress({ bars: ctx.quiet || ctx.json ? false : undefined });
  const show = ctx.quiet ? () => undefined : (job: Job) => progress.update(job);
  const offs = [depot.on('progress', show), depot.on('jobDone', show), depot.on('jobFailed', show)];
  // Token prompts come one at a time; a second authRequired for the same provider while one is open is covered by it.
  let prompting = Promise.resolve();
  offs.push(
    depot.on('authRequired', (event) => {
      if (event.clientId !== CLI_CLIENT) return;
      prompting = prompting.then(() => promptForToken(depot, event, progress));
    }),
  );
  try {
    const jobs = await depot.install(requirements, { clientId: CLI_CLIENT, waitForToken: interactive });
    const settled = await depot.settled(jobs.map((j) => j.id));
    await prompting;
    return settled;
  } finally {
    for (const off of offs) off();
    progress.stop();
  }
}

async function promptForToken(depot: WorkingDepot, event: AuthRequiredEvent, progress: InstallProgress): Promise<void> {
  const stillWaiting = event.jobIds.some((id) => depot.job(id)?.state === 'waiting-for-token');
  if (!stillWaiting) return;
  progress.pause();
  const name = PROVIDER_NAMES[event.provider];
  process.stderr.write(`\n${event.message}\n`);
  if (event.accessUrl) process.stderr.write(`Ask for access at: ${event.accessUrl}\n`);
  const token = await readHiddenLine({
    prompt: `${name} token (hidden, used for this install only, never saved; empty to skip): `,
  });
  if (token && token.trim() !== '') depot.provideToken(event.provider, token.trim(), { clientId: CLI_CLIENT });
  else depot.cancelWaiting(event.provider, CLI_CLIENT);
  progress.resume();
}

/**
 * The depot of the sidecar serving this folder, when one runs: it holds the registry lock, so the install is its
 * work, asked over its WebSocket; the environment's tokens go with this install's jobs only.
 */
async function sidecarDepot(ctx: CliContext): Promise<WorkingDepot | undefined> {
  const sidecar = await findCommandSidecar(ctx);
  if (!sidecar) return undefined;
  return connectRemoteDepot(sidecar, { tokens: { huggingface: ctx.env.hfToken, civitai: ctx.env.civitaiToken } });
}

/** `--pick` values: `NAME=NUMBER` or `NAME=URL`, keyed by NAME (a file name, or folder + file name). */
function parsePicks(values: readonly string[]): Map<string, string> {
  const picks = new Map<string, string>();
  for (const value of values) {
    const at = value.indexOf('=');
    const name = value.slice(0, at).trim();
    const choice = value.slice(at + 1).trim();
    if (at <= 0 || choice === '') {
      throw new DepotError(
        'BAD_INPUT',
        `--pick ${value}: expected NAME=NUMBER or NAME=URL, such as --pick model.safetensors=2.`,
      );
    }
    picks.set(name, choice);
  }
  return picks;
}

/** Without a terminal nobody can be asked for a token: say where the install reads one from. */
const NO_TERMINAL_TOKEN_HINT =
  'No terminal to ask for a token on: set HF_TOKEN (HuggingFace; or run `hf auth login`) or CIVITAI_API_TOKEN ' +
  '(Civitai) in the environment, then run install again.\n';
