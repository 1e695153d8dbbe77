import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CompareResult, ComparePair, LocalFile, RemoteFile } from './compare-schema';
import { formatBytes } from '../../../shared/format-bytes';

export type CompareExportKind = 'missing' | 'matched' | 'name-only' | 'mismatched' | 'local-only' | 'urls' | 'aria2';

/** The files `--export-all DIR` writes, one per group plus the URL list, the aria2c input and the whole result. */
export const EXPORT_ALL_FILES: Readonly<Record<CompareExportKind | 'summary', string>> = {
  missing: 'missing.txt',
  matched: 'matched.txt',
  'name-only': 'name-only.txt',
  mismatched: 'mismatched.txt',
  'local-only': 'local-only.txt',
  urls: 'missing-urls.txt',
  aria2: 'missing.aria2',
  summary: 'summary.json',
};

export interface FormatExportOptions {
  result: CompareResult;
  /** Where the aria2c entries download to (`dir=`): the folder `--download` would use. */
  downloadDir: string;
}

/**
 * The text of one export. Lists are tab-separated with `#` comment lines on top (what and from where, the columns);
 * `urls` is bare: one resolve URL a line, for `wget -i` / `aria2c -i`; `aria2` is an aria2c input file.
 * None ever carries a token: the URLs are the public resolve URLs.
 */
export function formatExport(kind: CompareExportKind, { result, downloadDir }: FormatExportOptions): string {
  const { groups } = result;
  const from = `${result.repo.id}@${result.repo.revision}${result.repo.path ? `/${result.repo.path}` : ''}`;
  const cell = (value: string | number | null) => (value === null ? '-' : clean(String(value)));
  const lines = (header: string, columns: string[], rows: string[][]) =>
    `${[`# ${header}`, `# ${columns.join('\t')}`, ...rows.map((row) => row.join('\t'))].join('\n')}\n`;
  const pairRows = (pairs: ComparePair[]) =>
    pairs.map(({ remote, local }) => [
      cell(remote.relativePath),
      cell(localPlace(local)),
      cell(remote.sha256),
      cell(local.sha256),
      cell(remote.size),
    ]);
  const pairColumns = ['path', 'local', 'remote_sha256', 'local_sha256', 'size'];
  switch (kind) {
    case 'missing':
      return lines(
        `missing locally: ${groups.missing.length} files (${formatBytes(result.summary.missingBytes)}) of ${from}`,
        ['path', 'size', 'sha256', 'url'],
        groups.missing.map((f) => [cell(f.relativePath), cell(f.size), cell(f.sha256), f.url]),
      );
    case 'matched':
      return lines(
        `matched by SHA-256: ${groups.matched.length} files of ${from}`,
        pairColumns,
        pairRows(groups.matched),
      );
    case 'name-only':
      return lines(
        `same name, no SHA-256 to compare: ${groups.nameOnly.length} files of ${from}`,
        pairColumns,
        pairRows(groups.nameOnly),
      );
    case 'mismatched':
      return lines(
        `same name, different SHA-256: ${groups.mismatched.length} files of ${from}`,
        pairColumns,
        pairRows(groups.mismatched),
      );
    case 'local-only':
      return lines(
        `here but not in ${from}: ${groups.localOnly.length} files`,
        ['name', 'local', 'sha256', 'size'],
        groups.localOnly.map((f) => [cell(f.name), cell(localPlace(f)), cell(f.sha256), cell(f.size)]),
      );
    case 'urls':
      return groups.missing.map((f) => `${f.url}\n`).join('');
    case 'aria2':
      return formatAria2(groups.missing, downloadDir, from);
  }
}

/**
 * aria2c's input-file grammar: a line of URIs (tab-separated mirrors), then its options, each on a line that starts
 * with white space, as `name=value`. `out` keeps the repository's sub-folders below `dir`; `checksum` makes aria2c
 * verify the SHA-256 (regular files have none: they are checked by size only).
 */
function formatAria2(files: readonly RemoteFile[], downloadDir: string, from: string): string {
  const head = [
    `# aria2c input file: aria2c -i <this file>  (${files.length} files missing locally from ${from})`,
    '# Private or gated repositories: add --header="Authorization: Bearer $HF_TOKEN" (the token is never written here).',
  ];
  const entries = files.map((f) => {
    const options = [`  dir=${clean(downloadDir)}`, `  out=${clean(f.relativePath)}`];
    if (f.sha256) options.push(`  checksum=sha-256=${f.sha256}`);
    return [f.url, ...options].join('\n');
  });
  return `${[...head, ...entries].join('\n')}\n`;
}

export interface WriteCompareExportsOptions extends FormatExportOptions {
  /** Single exports: the file each kind goes to (`--export-missing`, `--export-urls`, ...). */
  files: Partial<Record<CompareExportKind, string>>;
  /** `--export-all DIR`: every kind under EXPORT_ALL_FILES' names, plus `summary.json`. */
  allDir?: string;
}

/** Writes the asked exports (parent folders created); returns the paths written, for the summary line. */
export async function writeCompareExports(options: WriteCompareExportsOptions): Promise<string[]> {
  const targets: Array<[CompareExportKind | 'summary', string]> = [];
  for (const [kind, file] of Object.entries(options.files)) {
    if (isExportKind(kind) && file) targets.push([kind, file]);
  }
  if (options.allDir) {
    for (const [kind, name] of Object.entries(EXPORT_ALL_FILES)) {
      if (isExportKind(kind) || kind === 'summary') targets.push([kind, join(options.allDir, name)]);
    }
  }
  for (const [kind, file] of targets) {
    const text = kind === 'summary' ? `${JSON.stringify(options.result, null, 2)}\n` : formatExport(kind, options);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return targets.map(([, file]) => file);
}

function isExportKind(kind: string): kind is CompareExportKind {
  return ['missing', 'matched', 'name-only', 'mismatched', 'local-only', 'urls', 'aria2'].includes(kind);
}

function localPlace(local: LocalFile): string {
  return local.path ?? local.source;
}

/** Tabs and newlines in a hostile file name would break the line grammar of every export. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, '_');
}
