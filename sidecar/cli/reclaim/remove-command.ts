import type { Command } from 'commander';
import { removeModelFile } from '../../services/reclaim/remove-model-file';
import { withDepotRegistry } from '../../services/reclaim/with-depot-registry';
import { resolveCliContext } from '../cli-context';
import { runAction } from '../run-action';
import { terminalText } from '../terminal-text';

/** `model-depot remove FILE`: deletes a registered file without breaking the links that depend on it. */
export function registerRemoveCommand(program: Command): void {
  program
    .command('remove')
    .description('delete a registered model file; links that depend on it are moved to a remaining copy first')
    .argument('<file>', 'the model file to delete')
    .action(
      runAction(async (file: string, _flags: unknown, command: Command) => {
        const context = await resolveCliContext(command);
        const report = await withDepotRegistry({ modelsRoot: context.modelsRoot }, (registry, hashCache) =>
          removeModelFile({ registry, hashCache, file }),
        );
        if (context.json) {
          process.stdout.write(`${JSON.stringify(report)}\n`);
          return;
        }
        const lines = [`Removed ${terminalText(report.removed)}.`];
        if (report.newCanonical !== undefined) {
          lines.push(`Its bytes are now held by ${terminalText(report.newCanonical)}.`);
          for (const link of report.repointed) lines.push(`  re-pointed ${terminalText(link)}`);
        }
        if (!context.quiet || lines.length > 1) process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
