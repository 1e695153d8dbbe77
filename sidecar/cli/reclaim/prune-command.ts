import type { Command } from 'commander';
import { DepotError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format-bytes';
import { pruneCache } from '../../services/reclaim/prune-cache';
import { resolveCliContext } from '../cli-context';
import { runAction } from '../run-action';
import { terminalText } from '../terminal-text';

interface PruneFlags {
  dryRun?: boolean;
  olderThan?: string;
}

/** `model-depot prune [--dry-run] [--older-than DAYS]`: partial downloads and cached answers, with their space. */
export function registerPruneCommand(program: Command): void {
  program
    .command('prune')
    .description('remove partial downloads and cached host answers under <models>/.cache, with the space they hold')
    .option('--dry-run', 'list what would be removed and the space it holds; remove nothing')
    .option('--older-than <days>', 'only what was last written at least this many days ago')
    .action(
      runAction(async (flags: PruneFlags, command: Command) => {
        const context = await resolveCliContext(command);
        const olderThanDays = flags.olderThan === undefined ? undefined : Number(flags.olderThan);
        if (olderThanDays !== undefined && (!Number.isFinite(olderThanDays) || olderThanDays < 0)) {
          throw new DepotError(
            'BAD_INPUT',
            `--older-than takes a number of days, such as 7; got "${flags.olderThan}".`,
          );
        }
        const report = await pruneCache({
          modelsRoot: context.modelsRoot,
          dryRun: flags.dryRun === true,
          ...(olderThanDays !== undefined && { olderThanDays }),
        });
        if (context.json) {
          process.stdout.write(`${JSON.stringify(report)}\n`);
          return;
        }
        const lines: string[] = [];
        if (!context.quiet) {
          for (const item of report.pruned) {
            lines.push(
              `${report.dryRun ? 'would remove' : 'removed'} ${item.kind.padEnd(8)} ${formatBytes(item.bytes).padStart(9)}  ${terminalText(item.path)}`,
            );
          }
          for (const kept of report.kept) lines.push(`kept ${terminalText(kept.path)}: ${kept.reason}`);
        }
        const verb = report.dryRun ? 'Would give back' : 'Gave back';
        lines.push(
          `${verb} ${formatBytes(report.totals.bytes)} (${report.totals.items} items).${report.dryRun ? ' Dry run: nothing was removed.' : ''}`,
        );
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
