import type { Command } from 'commander';
import { checkExitCode } from './check-exit-code';
import { readWorkflowFile } from './check-read-workflow';
import { formatCheckReport } from './check-report';
import { type CliContext, resolveCliContext } from '../cli-context';
import { loadCliCatalogs } from '../catalog/cli-catalogs';
import { openCliDepotReader } from '../create-cli-depot';
import { runAction } from '../run-action';
import { findCommandSidecar } from '../through-sidecar/find-sidecar';
import type { WorkingDepot } from '../through-sidecar/remote-depot';
import { extractRequirements } from '../../../shared/workflow/extract-requirements';
import { zCheckResult } from '../../../shared/check-result';
import { terminalText } from '../terminal-text';
import { strictProblems } from '../../services/annotate/strict-problems';

/**
 * Largest workflow sent to the sidecar: quoted into a JSON message it may double, and the sidecar answers messages
 * over 20 MiB with an error. A bigger file (previews embedded) is checked here, from the registry on disk.
 */
const SIDECAR_WORKFLOW_BYTES = 8 * 1024 * 1024;

/** What the check uses of a depot: the registry read from disk, or the sidecar's depot. */
type CheckingDepot = Pick<WorkingDepot, 'check' | 'close'>;

interface CheckCommandOptions {
  /** commander's `--no-remote`: false when look-ups are turned off. */
  remote: boolean;
  /** `--all`: muted and bypassed nodes' models too. */
  all?: boolean;
  /** `--strict`: exit 1 unless every model has a URL and a SHA-256 that matches the file on disk. */
  strict?: boolean;
}

/**
 * `model-depot check WORKFLOW.json`: what the workflow needs and what this machine has. Read-only: beside a sidecar
 * serving the folder it asks the sidecar (its registry in memory is the newest, its caches are warm). Exit 0: everything present or installable; 1: a required model is in conflict or unavailable, an
 * entry could not be read, or the downloads do not fit; 2: the file is not a workflow.
 */
export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('what a workflow needs: present / linkable / missing / conflict / unavailable, sizes, free space')
    .argument('<workflow>', 'a ComfyUI workflow .json file (or one with a `dependencies` section)')
    .option('--all', "also list the models of muted and bypassed nodes (as optional: they don't run)")
    .option('--strict', 'exit 1 unless every model is listed with a URL and a SHA-256 matching the file on disk')
    .option('--no-remote', 'do not ask HuggingFace / Civitai for the SHA-256 of URLs that have none')
    .option('--comfyui <dir>', 'a ComfyUI install: DIR/models and the folders of its extra_model_paths.yaml')
    .action(
      runAction(async (workflowFile: string, options: CheckCommandOptions, command: Command) => {
        const context = await resolveCliContext(command);
        const workflow = await readWorkflowFile(workflowFile);
        const { catalogs } = await loadCliCatalogs(context, command);
        const depot = await checkingDepot(context, workflow, options.all === true);
        try {
          const result = await depot.check(workflow, { remote: options.remote, all: options.all === true, catalogs });
          const strict = options.strict === true ? strictProblems(result) : undefined;
          if (context.json) {
            // In the protocol's order of fields, as a sidecar's answer arrives: the same text either way.
            const ordered = zCheckResult.parse(result);
            process.stdout.write(`${JSON.stringify({ ...ordered, ...(strict && { strict }) }, null, 2)}\n`);
          } else {
            const report = formatCheckReport(result, {
              modelsRoot: context.modelsRoot,
              quiet: context.quiet,
              tokensInEnv: { huggingface: Boolean(context.env.hfToken), civitai: Boolean(context.env.civitaiToken) },
              hubDirCount: context.hubDirs.length,
            });
            process.stdout.write(report);
            for (const problem of strict ?? []) process.stdout.write(`strict: ${terminalText(problem)}\n`);
          }
          return strict !== undefined && strict.length > 0 ? 1 : checkExitCode(result);
        } finally {
          await depot.close();
        }
      }),
    );
}

/**
 * The sidecar serving the folder when one runs, else the registry read from disk. A workflow naming no usable model
 * is checked here too (its unreadable entries listed, exit 1): the sidecar refuses it as bad input, there being
 * nothing to look up.
 */
async function checkingDepot(context: CliContext, workflow: string, all: boolean): Promise<CheckingDepot> {
  const sidecar = await findCommandSidecar(context);
  const fits = Buffer.byteLength(workflow) <= SIDECAR_WORKFLOW_BYTES;
  if (sidecar && fits && extractRequirements(workflow, { includeInactive: all }).requirements.length > 0) {
    // Loaded only beside a sidecar: its WebSocket client (ws) is no part of a check that works alone.
    const { connectRemoteDepot } = await import('../through-sidecar/remote-depot');
    return connectRemoteDepot(sidecar);
  }
  return openCliDepotReader(context);
}
