import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  zCompareCliOptions,
  type CompareCliOptions,
  type CompareDownload,
  type CompareResult,
} from '../../services/compare/compare-schema';
import { DepotError, hasErrorCode } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format-bytes';
import { clearCompareCaches, HASH_CACHE_NAME } from '../../services/compare/compare-cache-file';
import { downloadMissing } from '../../services/compare/compare-download';
import { writeCompareExports, type CompareExportKind } from '../../services/compare/compare-exports';
import { createCompareFilter } from '../../services/compare/compare-filter';
import { compareRepository } from '../../services/compare/compare-repository';
import { compareRepoAccess } from '../../services/compare/compare-repo-access';
import { parseHfUrl, parseRepoId, parseRepoType, type HfRepoLocation } from '../../services/compare/parse-hf-url';
import { readLocalMetadata } from '../../services/compare/read-local-metadata';
import { scanLocalFiles } from '../../services/compare/scan-local-files';
import { resolveCliContext, type CliContext } from '../cli-context';
import { createCompareDownloadProgress } from './compare-download-progress';
import { createCompareProgress } from './compare-progress';
import { formatCompareReport } from './compare-report';
import { runAction } from '../run-action';
import { isLoopbackEndpoint } from '../is-loopback-endpoint';

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('compare a local collection with a HuggingFace repository by SHA-256')
    .option('--hf-url <url>', 'repository URL; type (model, dataset, space), branch and folder are read from it')
    .option('--hf-repo <id>', 'repository id such as user/repo-name')
    .option('--repo-type <type>', 'with --hf-repo: model (default), dataset or space')
    .requiredOption('--local-dir <dir>', 'where your files (or their metadata JSON files) are')
    .option('--branch <name>', 'branch, tag or commit (default: the one in --hf-url, else main)')
    .option('--scan-files', 'hash the model files instead of reading metadata JSON files (cached, with a progress bar)')
    .option('--safetensors-only', 'only check .safetensors files')
    .option(
      '--filter <pattern>',
      'only check repository files matching it: * any characters, ? one; without a / it matches the file name, with one the path',
    )
    .option('--export-missing <file>', 'write the missing files (path, size, sha256, url)')
    .option(
      '--export-urls <file>',
      'write the download URLs of the missing files, one a line (for wget -i / aria2c -i)',
    )
    .option('--export-matches <file>', 'write the files matched by SHA-256')
    .option('--export-aria2 <file>', 'write an aria2c input file for the missing files (dir, out, checksum)')
    .option('--export-all <dir>', 'write every group, the URLs, the aria2c file and summary.json into a folder')
    .option('--no-cache', 'ignore and do not update the cache for this run')
    .option('--clear-cache', 'delete the cache files in --local-dir first')
    .option(
      '--token <token>',
      'HF token for private or gated repositories (prefer the HF_TOKEN variable: a flag shows in ps)',
    )
    .option('-v, --verbose', 'show every file of every group, and why each invalid JSON file was skipped')
    .option('--download', 'download the missing files (verified, resumable) into --download-dir')
    .option('--download-dir <dir>', 'where --download and --export-aria2 put files (default: --local-dir)')
    .option('--limit <kbps>', "with --download: bandwidth cap in KB/s (default: the config's bandwidth_limit_kb)")
    .option('--no-limit', 'with --download: no bandwidth cap, whatever the config says')
    .addHelpText(
      'after',
      `
Groups: ✓ same SHA-256 (any name)  ⚠ same name, no SHA-256 to compare  ✗ same name, different SHA-256
        ↓ missing locally  + here but not in the repository (shown with -v; exported with --export-all)
Exit codes: 0 compared (missing files are a result, not a failure), 1 network, auth or download failure, 2 bad usage.`,
    )
    .action(
      runAction(async (raw: unknown, command: Command) => {
        const ctx = await resolveCliContext(command);
        return runCompare(ctx, zCompareCliOptions.parse(raw));
      }),
    );
}

/** What one run works with, resolved from flags, config and environment. */
interface CompareRun {
  ctx: CliContext;
  options: CompareCliOptions;
  location: HfRepoLocation;
  localDir: string;
  downloadDir: string;
  token: string | undefined;
  /** The download cap in KB/s, or null for none (checked before anything runs: a typo is bad usage). */
  limitKbps: number | null;
  /** Human output on stdout/stderr (not --json, not --quiet). */
  talk: boolean;
  warn: (message: string) => void;
}

async function runCompare(ctx: CliContext, options: CompareCliOptions): Promise<number> {
  const localDir = resolve(options.localDir);
  const run: CompareRun = {
    ctx,
    options,
    location: locate(options, ctx.env.hfEndpoint),
    localDir,
    downloadDir: resolve(options.downloadDir ?? localDir),
    token: options.token ?? ctx.env.hfToken,
    limitKbps: downloadLimit(options.limit, ctx.config.bandwidth_limit_kb),
    talk: !ctx.json && !ctx.quiet,
    warn: (message) => {
      if (!ctx.quiet) process.stderr.write(`model-depot: warning: ${message}\n`);
    },
  };
  await requireFolder(localDir);
  if (options.clearCache) await clearCompareCaches(localDir);

  // Asked beside the listing: a gated repository lists without a token, but its files do not download.
  const gate = run.token
    ? Promise.resolve(undefined)
    : compareRepoAccess({
        hubUrl: ctx.env.hfEndpoint,
        repoType: run.location.repoType,
        repoId: run.location.repoId,
      });
  const comparison = compareRepository({
    repoId: run.location.repoId,
    repoType: run.location.repoType,
    revision: options.branch ?? run.location.revision ?? 'main',
    path: run.location.path,
    file: run.location.file,
    hubUrl: ctx.env.hfEndpoint,
    ...(run.token ? { token: run.token } : {}),
    localDir,
    readLocal: () => readLocal(run),
    filter: createCompareFilter({
      ...(options.filter !== undefined ? { pattern: options.filter } : {}),
      safetensorsOnly: options.safetensorsOnly,
    }),
    pattern: options.filter ?? null,
    safetensorsOnly: options.safetensorsOnly,
  });
  // Both awaited together: a failure of either is reported once, never as an unhandled rejection.
  const [result, gated] = await Promise.all([comparison, gate]);
  if (gated !== undefined) result.repo.gated = gated;
  const gateNote = gated ? gatedNote(run) : undefined;
  // Refused before any output, so --json prints one document (the error) and nothing half-done is left.
  if (gateNote && options.download) throw new DepotError('AUTH_REQUIRED', `Nothing was downloaded: ${gateNote}`);
  const written = await writeExports(run, result);

  if (run.talk) {
    process.stdout.write(
      formatCompareReport(result, { verbose: options.verbose, columns: process.stdout.columns ?? 100 }),
    );
    if (written.length) process.stdout.write(`Exported: ${written.join(', ')}\n`);
  }
  if (options.download && result.groups.missing.length > 0) result.downloads = await download(run, result);
  // With --json the result comes last, so it can carry the download outcomes.
  if (ctx.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (gateNote) run.warn(`${gateNote} The comparison itself is complete.`);
  return result.downloads?.some((outcome) => !outcome.ok) ? 1 : 0;
}

function gatedNote({ ctx, location }: CompareRun): string {
  const type = location.repoType === 'model' ? '' : `${location.repoType}s/`;
  return (
    `${location.repoId} is gated: its files download only with a token that was granted access ` +
    `(ask for access at ${new URL(ctx.env.hfEndpoint).origin}/${type}${location.repoId}, then set HF_TOKEN or pass --token).`
  );
}

function writeExports({ options, downloadDir }: CompareRun, result: CompareResult): Promise<string[]> {
  const files: Partial<Record<CompareExportKind, string>> = {
    ...(options.exportMissing ? { missing: resolve(options.exportMissing) } : {}),
    ...(options.exportUrls ? { urls: resolve(options.exportUrls) } : {}),
    ...(options.exportMatches ? { matched: resolve(options.exportMatches) } : {}),
    ...(options.exportAria2 ? { aria2: resolve(options.exportAria2) } : {}),
  };
  return writeCompareExports({
    result,
    downloadDir,
    files,
    ...(options.exportAll ? { allDir: resolve(options.exportAll) } : {}),
  });
}

/** Exactly one of --hf-url and --hf-repo; --repo-type only makes sense with the latter (a URL carries its type). */
function locate(options: CompareCliOptions, hfEndpoint: string): HfRepoLocation {
  if ((options.hfUrl === undefined) === (options.hfRepo === undefined)) {
    throw new DepotError('BAD_INPUT', 'Give the repository with exactly one of --hf-url URL or --hf-repo user/repo.');
  }
  if (options.hfUrl !== undefined) {
    const location = parseHfUrl({ url: options.hfUrl, hfEndpoint });
    if (options.repoType !== undefined && parseRepoType(options.repoType) !== location.repoType) {
      throw new DepotError(
        'BAD_INPUT',
        `--repo-type ${options.repoType} contradicts --hf-url, which names a ${location.repoType}.`,
      );
    }
    return location;
  }
  return {
    repoId: parseRepoId(options.hfRepo ?? ''),
    repoType: options.repoType === undefined ? 'model' : parseRepoType(options.repoType),
    revision: null,
    path: null,
    file: null,
  };
}

async function readLocal({ options, localDir, talk, warn }: CompareRun) {
  if (!options.scanFiles) return readLocalMetadata({ localDir, useCache: options.cache, onWarning: warn });
  const progress = createCompareProgress({ stream: process.stderr, enabled: talk });
  try {
    return await scanLocalFiles({
      localDir,
      ...(options.cache ? { hashCacheFile: resolve(localDir, HASH_CACHE_NAME) } : {}),
      onProgress: progress.update,
      onWarning: warn,
    });
  } finally {
    progress.stop();
  }
}

async function download(
  { ctx, limitKbps, downloadDir, token, talk }: CompareRun,
  result: CompareResult,
): Promise<CompareDownload[]> {
  const missing = result.groups.missing;
  if (talk)
    process.stderr.write(
      `Downloading ${missing.length} files (${formatBytes(result.summary.missingBytes)}) into ${downloadDir}\n`,
    );
  // Failures are printed even with --json or --quiet (on stderr): they decide the exit code. Bars only when both
  // streams are a terminal: a redirected stdout or stderr means a log or a script, which gets plain lines.
  const progress = createCompareDownloadProgress({
    stream: process.stderr,
    bars: talk && process.stdout.isTTY === true && process.stderr.isTTY === true,
    filesTotal: missing.length,
    bytesTotal: result.summary.missingBytes,
  });
  let done = 0;
  let outcomes: CompareDownload[];
  try {
    outcomes = await downloadMissing({
      files: missing,
      downloadDir,
      hfEndpoint: ctx.env.hfEndpoint,
      // A loopback HF_ENDPOINT (a local mirror, the fake hub) redirects to loopback CDN hosts as well.
      allowLoopbackHosts: isLoopbackEndpoint(ctx.env.hfEndpoint),
      limitKbps,
      parallel: ctx.config.parallel_downloads,
      ...(token ? { token } : {}),
      onProgress: (file, { bytes, state }) => progress.file(file.relativePath, file.size, { bytes, state }),
      onDone: (file, outcome) => {
        done++;
        const count = `${done}/${missing.length}`;
        if (!outcome.ok)
          progress.finished(
            file.relativePath,
            `  ✗ ${count} ${file.relativePath}: ${outcome.message ?? outcome.code ?? 'failed'}`,
          );
        else if (talk)
          progress.finished(
            file.relativePath,
            `  ✓ ${count} ${file.relativePath} (${formatBytes(outcome.size ?? file.size)})`,
          );
        else progress.finished(file.relativePath);
      },
    });
  } finally {
    progress.stop();
  }
  const failed = outcomes.filter((outcome) => !outcome.ok).length;
  if (talk || failed) {
    process.stderr.write(
      `${missing.length - failed} downloaded, ${failed} failed${failed ? ' (run again to resume)' : ''}\n`,
    );
  }
  return outcomes;
}

/** Checked before the hub is asked, so a mistyped folder is bad usage (exit 2) whatever the network does. */
async function requireFolder(dir: string): Promise<void> {
  const stats = await stat(dir).catch((error: unknown) => {
    if (hasErrorCode(error, 'ENOENT')) return null;
    throw error;
  });
  if (!stats?.isDirectory()) throw new DepotError('BAD_INPUT', `--local-dir: ${dir} is not a folder; check the path.`);
}

/** `--limit KBPS`, `--no-limit`, else the config's cap (null: none). */
function downloadLimit(flag: string | false | undefined, configured: number | null): number | null {
  if (flag === false) return null;
  if (flag === undefined) return configured;
  const kbps = Number(flag);
  if (!Number.isFinite(kbps) || kbps <= 0) {
    throw new DepotError(
      'BAD_INPUT',
      `--limit: "${flag}" is not a positive number of KB/s (such as 20000); use --no-limit for none.`,
    );
  }
  return kbps;
}
