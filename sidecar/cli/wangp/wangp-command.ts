import type { Command } from 'commander';
import { DepotError } from '../../../shared/errors';
import type { Job } from '../../../shared/job';
import { checkWanGpModels } from '../../services/wangp/check-wangp-models';
import { selectWanGpModels } from '../../services/wangp/select-wangp-models';
import { wanGpCheckInput } from '../../services/wangp/wangp-check-input';
import { resolveCliContext } from '../cli-context';
import { askYesNo } from '../install/install-terminal-input';
import { formatInstallPlan, planHasWork } from '../install/install-plan';
import { createInstallProgress } from '../install/install-progress';
import { jobCountsLine } from '../install/job-counts-line';
import { parseLimitFlag } from '../parse-limit-flag';
import { runAction } from '../run-action';
import { terminalText } from '../terminal-text';
import { openWanGpDepot } from './open-wangp-depot';
import { wanGpListText } from './wangp-list-text';

interface ListFlags {
  quantization?: string;
}

interface InstallFlags extends ListFlags {
  yes?: boolean;
  limit?: string | boolean;
}

/** The client id of the terminal: installs started here never wait for a token (none can be typed in mid-run). */
const CLI_CLIENT = 'cli';

export function registerWanGpCommand(program: Command): void {
  const wangp = program
    .command('wangp')
    .description('the models of a WanGP install (--wan2gp DIR or wan2gp_directory): list and install their files');
  wangp
    .command('list')
    .description('every model WanGP shows, with the files it downloads, their sizes and whether they are in ckpts')
    .option('--quantization <q>', 'bf16, int8 or fp8: which file of each transformer (default int8, as WanGP)')
    .option('--json', 'machine-readable output')
    .action(runAction(async (flags: ListFlags, command: Command) => listAction(flags, command)));
  wangp
    .command('install')
    .description("link or download the files of WanGP models into its ckpts folder, as WanGP's own download would")
    .argument('<name...>', 'model ids (the definition file name without .json) or names as WanGP shows them')
    .option('--quantization <q>', 'bf16, int8 or fp8: which file of each transformer (default int8, as WanGP)')
    .option('--yes', 'do not ask before installing (required when stdin is not a terminal)')
    .option('--limit <kbps>', 'bandwidth cap in KB/s (default: the config)')
    .option('--no-limit', 'no bandwidth cap')
    .option('--json', 'machine-readable output')
    .action(
      runAction(async (names: string[], flags: InstallFlags, command: Command) => installAction(names, flags, command)),
    );
}

async function listAction(flags: ListFlags, command: Command): Promise<number> {
  const ctx = await resolveCliContext(command);
  const { catalog, problems, depot } = await openWanGpDepot(ctx, { quantization: flags.quantization, limitKbps: null });
  try {
    const { models } = await checkWanGpModels({ models: catalog.models, check: (input) => depot.check(input) });
    if (ctx.json) {
      const { root, ckptsDirectory, quantization } = catalog;
      process.stdout.write(`${JSON.stringify({ root, ckptsDirectory, quantization, models, problems })}\n`);
    } else if (!ctx.quiet) {
      process.stdout.write(wanGpListText(models, problems));
    }
    return 0;
  } finally {
    await depot.close();
  }
}

async function installAction(names: string[], flags: InstallFlags, command: Command): Promise<number> {
  const limit = parseLimitFlag(flags.limit);
  const ctx = await resolveCliContext(command);
  if (!flags.yes && process.stdin.isTTY !== true) {
    throw new DepotError('BAD_INPUT', 'stdin is not a terminal, so install cannot ask before starting: pass --yes.');
  }
  const { catalog, depot } = await openWanGpDepot(ctx, {
    quantization: flags.quantization,
    limitKbps: limit === undefined ? ctx.config.bandwidth_limit_kb : limit,
  });
  try {
    const models = selectWanGpModels({ models: catalog.models, names });
    const plan = await depot.check(wanGpCheckInput(models));
    const out = ctx.json ? process.stderr : process.stdout;
    if (!ctx.quiet) out.write(formatInstallPlan(plan));
    if (!planHasWork(plan)) {
      const failures = plan.summary.conflict + plan.summary.unavailable;
      if (ctx.json) process.stdout.write(`${JSON.stringify({ plan, jobs: [] })}\n`);
      else if (!ctx.quiet && failures === 0) out.write('Nothing to do: every file is in ckpts.\n');
      return failures > 0 ? 1 : 0;
    }
    if (!flags.yes && !(await askYesNo('Proceed? [y/N] '))) {
      process.stderr.write('Nothing was changed.\n');
      return 1;
    }
    const progress = createInstallProgress({ bars: ctx.quiet || ctx.json ? false : undefined });
    const show = ctx.quiet ? () => undefined : (job: Job) => progress.update(job);
    const offs = [depot.on('progress', show), depot.on('jobDone', show), depot.on('jobFailed', show)];
    let jobs: Job[];
    try {
      const started = await depot.install(
        plan.items.map((item) => item.requirement),
        { clientId: CLI_CLIENT, waitForToken: false },
      );
      jobs = await depot.settled(started.map((job) => job.id));
    } finally {
      for (const off of offs) off();
      progress.stop();
    }
    if (ctx.json) process.stdout.write(`${JSON.stringify({ plan, jobs })}\n`);
    else if (!ctx.quiet) out.write(summaryOf(jobs));
    return jobs.some((job) => job.state === 'failed' || job.state === 'cancelled') ? 1 : 0;
  } finally {
    await depot.close();
  }
}

function summaryOf(jobs: readonly Job[]): string {
  const failed = jobs.filter((job) => job.state === 'failed' || job.state === 'cancelled');
  const lines = failed.map((job) => terminalText(`Failed      ${job.targetPath}: ${job.error?.message ?? job.state}`));
  lines.push(jobCountsLine(jobs));
  return `${lines.join('\n')}\n`;
}
