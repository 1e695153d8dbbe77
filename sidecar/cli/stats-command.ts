import path from 'node:path';
import type { Command } from 'commander';
import { openCliDepotReader } from './create-cli-depot';
import { type CliContext, resolveCliContext } from './cli-context';
import { zStatsAnswer } from '../services/depot/depot-answer-schemas';
import type { RegistryStats } from '../services/depot/depot-types';
import { findCommandSidecar } from './through-sidecar/find-sidecar';
import { sidecarRequest } from './through-sidecar/sidecar-request';
import { runAction } from './run-action';

/** `model-depot stats`: the registry's figures. Read-only, so it works while a sidecar runs. */
export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('registry figures: model_count, alias_count, total_size_gb')
    .action(
      runAction(async (_options: unknown, command: Command) => {
        const context = await resolveCliContext(command);
        const { stats, registryFile } = await readStats(context);
        if (context.json) {
          process.stdout.write(`${JSON.stringify(stats)}\n`);
          return;
        }
        process.stdout.write(
          [
            `Models:      ${stats.model_count}`,
            `Aliases:     ${stats.alias_count}`,
            `Total size:  ${stats.total_size_gb.toFixed(2)} GiB`,
            ...(context.quiet ? [] : [`Registry:    ${registryFile}`]),
            '',
          ].join('\n'),
        );
      }),
    );
}

/** The figures from the sidecar serving the folder (its registry in memory is the newest), else from the file. */
async function readStats(context: CliContext): Promise<{ stats: RegistryStats; registryFile: string }> {
  const sidecar = await findCommandSidecar(context);
  if (sidecar) {
    const stats = await sidecarRequest(sidecar, { method: 'GET', path: '/models/stats', answer: zStatsAnswer });
    return { stats, registryFile: path.join(sidecar.modelsRoot, '.registry', 'models.json') };
  }
  const registry = await openCliDepotReader(context);
  return { stats: registry.stats(), registryFile: registry.registryFile };
}
