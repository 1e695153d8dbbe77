import type { Command } from 'commander';
import { openCliDepotReader } from './create-cli-depot';
import { resolveCliContext } from './cli-context';
import { runAction } from './run-action';

/** `model-depot stats`: the registry's figures. Read-only, so it works while a sidecar runs. */
export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('registry figures: model_count, alias_count, total_size_gb')
    .action(
      runAction(async (_options: unknown, command: Command) => {
        const context = await resolveCliContext(command);
        const registry = await openCliDepotReader(context);
        const stats = registry.stats();
        if (context.json) {
          process.stdout.write(`${JSON.stringify(stats)}\n`);
          return;
        }
        process.stdout.write(
          [
            `Models:      ${stats.model_count}`,
            `Aliases:     ${stats.alias_count}`,
            `Total size:  ${stats.total_size_gb.toFixed(2)} GiB`,
            ...(context.quiet ? [] : [`Registry:    ${registry.registryFile}`]),
            '',
          ].join('\n'),
        );
      }),
    );
}
