import type { Command } from 'commander';
import { formatBytes } from '../../../shared/format-bytes';
import { type DedupeReport, dedupeModels } from '../../services/reclaim/dedupe-models';
import { withDepotRegistry } from '../../services/reclaim/with-depot-registry';
import { resolveCliContext } from '../cli-context';
import { runAction } from '../run-action';
import { terminalText } from '../terminal-text';
import { parseSizeFlag } from './parse-size-flag';

interface DedupeFlags {
  dryRun?: boolean;
  folder?: string;
  minSize?: string;
}

/** `model-depot dedupe [--dry-run] [--folder NAME] [--min-size SIZE]`: identical registered files become links. */
export function registerDedupeCommand(program: Command): void {
  program
    .command('dedupe')
    .description('replace identical copies of a model by links to one file and give the space back')
    .option('--dry-run', 'print each group, the links it would make and the space it would give back; change nothing')
    .option('--folder <name>', 'only files of this model folder (checkpoints, loras...)')
    .option('--min-size <size>', 'only models of at least this size (500M, 2G...)')
    .action(
      runAction(async (flags: DedupeFlags, command: Command) => {
        const context = await resolveCliContext(command);
        const dryRun = flags.dryRun === true;
        const minSize = flags.minSize === undefined ? undefined : parseSizeFlag(flags.minSize);
        const report = await withDepotRegistry(
          { modelsRoot: context.modelsRoot, readOnly: dryRun },
          (registry, hashCache) =>
            dedupeModels({
              registry,
              hashCache,
              modelsRoot: context.modelsRoot,
              dryRun,
              ...(flags.folder !== undefined && { folder: flags.folder }),
              ...(minSize !== undefined && { minSize }),
            }),
        );
        if (context.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else process.stdout.write(describeDedupe(report, context.quiet));
        return report.skipped.some((s) => s.reason === 'failed') ? 1 : 0;
      }),
    );
}

function describeDedupe(report: DedupeReport, quiet: boolean): string {
  const lines: string[] = [];
  const verb = report.dryRun ? 'would link' : 'linked';
  if (!quiet) {
    for (const group of report.groups) {
      lines.push(`${group.sha256.slice(0, 12)}  ${formatBytes(group.size)}  ${terminalText(group.canonical)}`);
      for (const link of group.links) {
        const note = link.note === undefined ? '' : ` (${link.note})`;
        lines.push(`  ${verb} (${link.kind}) ${terminalText(link.path)}${note}`);
      }
    }
    for (const skip of report.skipped) lines.push(`skipped (${skip.reason}) ${terminalText(skip.message)}`);
    for (const warning of report.warnings) lines.push(`note: ${warning}`);
  }
  const t = report.totals;
  if (report.dryRun) {
    lines.push(
      `Would make ${t.links} links in ${t.groups} groups and give back ${formatBytes(t.bytesToFree)}. ` +
        `Verified ${t.cacheHits + t.hashed} files (${t.hashed} read). Dry run: nothing was changed.`,
    );
  } else {
    lines.push(
      `Made ${t.links} links in ${t.groups} groups: ${formatBytes(t.bytesFreed ?? 0)} given back (free space ` +
        `measured before and after; the copies held ${formatBytes(t.bytesToFree)}). ${report.skipped.length} skipped.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
