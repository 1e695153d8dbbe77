import type { Command } from 'commander';
import { formatBytes } from '../../shared/format-bytes';
import { migrateDepot } from '../services/depot/migrate-depot';
import { type MigrateAnswer, zMigrateAnswer } from '../services/depot/depot-answer-schemas';
import { resolveCliContext } from './cli-context';
import { createHashProgress } from './compare/hash-progress';
import { runAction } from './run-action';
import { findCommandSidecar } from './through-sidecar/find-sidecar';
import { sidecarRequest } from './through-sidecar/sidecar-request';

interface MigrateFlags {
  dryRun?: boolean;
  folder?: string;
}

/** `model-depot migrate [--dry-run] [--folder NAME] [--comfyui DIR]`: registers the models already on disk. */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('register the models already on disk: models folders, hub directories, the HuggingFace cache')
    .option('--dry-run', 'print what would be registered, with totals; write nothing')
    .option('--folder <name>', 'only this model folder (checkpoints, loras, vae...)')
    .option('--comfyui <dir>', 'a ComfyUI install: its models/ and extra_model_paths.yaml')
    .action(
      runAction(async (flags: MigrateFlags, command: Command) => {
        const context = await resolveCliContext(command);
        const dryRun = flags.dryRun === true;
        const sidecar = await findCommandSidecar(context);
        const bar = context.json || context.quiet || sidecar ? undefined : createHashProgress();
        let migrated: { report: MigrateAnswer; note?: string };
        try {
          // The sidecar holds the registry lock: it does the work, in its own places, and stays the one writer.
          if (sidecar) {
            const body = { dryRun, ...(flags.folder === undefined ? {} : { folder: flags.folder }) };
            const report = await sidecarRequest(sidecar, {
              method: 'POST',
              path: '/models/migrate',
              body,
              answer: zMigrateAnswer,
            });
            migrated = { report };
          } else
            migrated = await migrateDepot({
              modelsRoot: context.modelsRoot,
              hubDirs: context.hubDirs,
              hfCacheDir: context.env.hfCacheDir,
              comfyuiDir: context.comfyuiDir,
              folder: flags.folder,
              env: process.env,
              dryRun,
              onProgress: (progress) => {
                if (progress.phase === 'hashing' && progress.bytesTotal > 0) bar?.update(progress);
              },
            });
        } finally {
          bar?.stop();
        }
        const { report, note } = migrated;
        if (context.json) process.stdout.write(`${JSON.stringify({ ...report, ...(note ? { note } : {}) })}\n`);
        else process.stdout.write(describeReport(report, { quiet: context.quiet, note }));
        return report.failed.length > 0 ? 1 : 0;
      }),
    );
}

function describeReport(report: MigrateAnswer, { quiet, note }: { quiet: boolean; note?: string }): string {
  const lines: string[] = [];
  const show = (path: string) => (/[\u0000-\u001f\u007f]/.test(path) ? JSON.stringify(path) : path);
  const canonical = new Map<string, string>();
  if (!quiet) {
    for (const entry of report.entries) {
      const first = canonical.get(entry.sha256);
      if (first === undefined) canonical.set(entry.sha256, entry.path);
      const role = first === undefined ? 'model' : `alias of ${show(first)}`;
      lines.push(
        `${entry.status.padEnd(10)} ${(entry.category ?? '-').padEnd(16)} ${entry.kind.padEnd(8)} ${entry.sha256.slice(0, 12)}  ${formatBytes(entry.size).padStart(8)}  ${show(entry.path)}  (${role})`,
      );
    }
    for (const path of report.removed)
      lines.push(`${'gone'.padEnd(10)} ${show(path)} (${report.dryRun ? 'would be forgotten' : 'forgotten'})`);
    for (const skip of report.skipped) lines.push(`skipped    ${show(skip.path)}: ${skip.reason}`);
  }
  for (const failure of report.failed)
    lines.push(`failed     ${show(failure.path)}: [${failure.code}] ${failure.message}`);
  const t = report.totals;
  const verb = report.dryRun ? 'Would register' : 'Registered';
  lines.push(
    `${verb} ${t.files} files: ${t.models} models, ${t.aliases} aliases, ${formatBytes(t.bytes)} (${t.newFiles} new or changed). ` +
      `Hashed ${t.hashed} files (${formatBytes(t.bytesRead)} read), ${t.cacheHits} known without reading; ` +
      `${report.skipped.length} skipped, ${report.failed.length} failed.${report.dryRun ? ' Dry run: nothing was written.' : ''}`,
  );
  if (note) lines.push(note);
  return `${lines.join('\n')}\n`;
}
