import type { CompareResult, ComparePair, LocalFile, RemoteFile } from '../../services/compare/compare-schema';
import { formatBytes } from '../../../shared/format-bytes';

export interface CompareReportOptions {
  /** `-v`: every row of every group (matches and local-only included) and each invalid JSON file with its reason. */
  verbose: boolean;
  /** Terminal width; paths are shortened from the left to fit. Default 100. */
  columns?: number;
  /** Rows shown per group without -v. Default 20. */
  maxRows?: number;
}

const ICONS = { matched: '✓', nameOnly: '⚠', mismatched: '✗', missing: '↓', localOnly: '+' } as const;

/** The terminal report: what was compared, tables of the groups that need attention, then the summary. */
export function formatCompareReport(result: CompareResult, options: CompareReportOptions): string {
  const { verbose, columns = 100, maxRows = 20 } = options;
  const out: string[] = [];
  const { groups, summary, local } = result;
  const repo =
    `${result.repo.type === 'model' ? '' : `${result.repo.type}s/`}${result.repo.id}@${result.repo.revision}` +
    (result.repo.path ? `/${result.repo.path}` : '');
  const localHow =
    local.mode === 'metadata'
      ? `${count(local.filesFound)} JSON files: ${count(local.filesRead)} read, ${count(local.fromCache)} from cache`
      : `${count(local.filesFound)} model files: ${count(local.filesRead)} hashed, ${count(local.fromCache)} from cache`;
  out.push(`Comparing ${repo} with ${result.localDir} (${localHow})`);
  const filters = [
    result.safetensorsOnly ? '.safetensors only' : '',
    result.filter ? `filter "${result.filter}"` : '',
  ].filter(Boolean);
  if (filters.length) out.push(`Filters: ${filters.join(', ')}`);

  const limit = verbose ? Infinity : maxRows;
  // Files found below --local-dir read best relative to it; metadata paths from another machine stay as written.
  const prefix = result.localDir.endsWith('/') ? result.localDir : `${result.localDir}/`;
  const place = (file: LocalFile) => {
    const where = file.path ?? file.source;
    return where.startsWith(prefix) ? where.slice(prefix.length) : where;
  };
  if (verbose) out.push(...pairTable(`${ICONS.matched} Matched by SHA-256`, groups.matched, columns, limit, place));
  out.push(
    ...pairTable(`${ICONS.nameOnly} Name matches, no SHA-256 to compare`, groups.nameOnly, columns, limit, place),
  );
  out.push(
    ...pairTable(`${ICONS.mismatched} Name matches, different SHA-256`, groups.mismatched, columns, limit, place),
  );
  out.push(...remoteTable(`${ICONS.missing} Missing locally`, groups.missing, columns, limit));
  if (verbose)
    out.push(...localTable(`${ICONS.localOnly} Here, not in the repository`, groups.localOnly, columns, limit, place));

  // Files without a SHA-256: regular (non-LFS) files carry only a git sha1, so only their names compare.
  const noSha = [...groups.nameOnly.map((p) => p.remote), ...groups.missing].filter((f) => f.sha256 === null).length;
  if (noSha > 0) {
    out.push(
      '',
      `${count(noSha)} repository file(s) have no SHA-256 (regular git files, not LFS): compared by name only.`,
    );
  }
  if (local.invalid.length > 0) {
    out.push('', `${local.invalid.length} invalid JSON file(s) skipped${verbose ? ':' : ' (-v lists them)'}`);
    if (verbose) for (const bad of local.invalid) out.push(`  ${clean(bad.file)}: ${clean(bad.reason)}`);
  }

  const rows: Array<[string, string, number, number | null]> = [
    [ICONS.matched, 'Matches (SHA-256)', summary.matched, sizeOf(groups.matched.map((p) => p.remote))],
    [ICONS.nameOnly, 'Name matches only', summary.nameOnly, null],
    [ICONS.mismatched, 'Mismatches', summary.mismatched, null],
    [ICONS.missing, 'Missing locally', summary.missing, summary.missingBytes],
    [ICONS.localOnly, 'Only here', summary.localOnly, null],
  ];
  const width = Math.max(...rows.map(([, , n]) => count(n).length));
  out.push('', 'Summary');
  for (const [icon, label, n, bytes] of rows) {
    out.push(
      `  ${icon} ${label.padEnd(18)} ${count(n).padStart(width)}${bytes !== null && n > 0 ? `  ${formatBytes(bytes)}` : ''}`,
    );
  }
  out.push(
    `  ${count(summary.remoteFiles)} files in the repository (${formatBytes(summary.remoteBytes)}), ` +
      `${count(summary.localFiles)} local models compared.`,
  );
  return `${out.join('\n')}\n`;
}

type Place = (file: LocalFile) => string;

function pairTable(
  title: string,
  pairs: readonly ComparePair[],
  columns: number,
  limit: number,
  place: Place,
): string[] {
  return table(
    title,
    ['repository file', 'size', 'remote sha256', 'local sha256', 'local'],
    pairs.map((p) => [
      p.remote.relativePath,
      formatBytes(p.remote.size),
      short(p.remote.sha256),
      short(p.local.sha256),
      place(p.local),
    ]),
    columns,
    limit,
  );
}

function remoteTable(title: string, files: readonly RemoteFile[], columns: number, limit: number): string[] {
  return table(
    title,
    ['repository file', 'size', 'sha256'],
    files.map((f) => [f.relativePath, formatBytes(f.size), short(f.sha256)]),
    columns,
    limit,
  );
}

function localTable(
  title: string,
  files: readonly LocalFile[],
  columns: number,
  limit: number,
  place: Place,
): string[] {
  return table(
    title,
    ['local file', 'size', 'sha256', 'where'],
    files.map((f) => [f.name, f.size === null ? '?' : formatBytes(f.size), short(f.sha256), place(f)]),
    columns,
    limit,
  );
}

/**
 * Aligned columns: every column as wide as its widest cell; the first (the path) is shortened from the left when the
 * terminal is narrow (the end of a file name tells versions apart), and the last (a local path) is cut to what is left.
 */
function table(title: string, header: string[], rows: string[][], columns: number, limit: number): string[] {
  if (rows.length === 0) return [];
  const shown = rows.slice(0, limit).map((row) => row.map(clean));
  const widths = header.map((h, i) => Math.max(width(h), ...shown.map((row) => width(row[i] ?? ''))));
  const last = header.length - 1;
  const middle = widths.slice(1, last).reduce((sum, w) => sum + w + 2, 0);
  // The path gets what the middle columns and a readable slice of the last one leave, never under 24 columns.
  const lastShare = Math.min(widths[last] ?? 0, 30);
  widths[0] = Math.min(widths[0] ?? 0, Math.max(24, columns - 2 - middle - 2 - lastShare));
  const lastWidth = Math.max(lastShare, columns - 2 - (widths[0] ?? 0) - middle - 2);
  const line = (cells: string[]) =>
    '  ' +
    cells
      .map((cell, i) => {
        if (i === 0) return fitStart(cell, widths[0] ?? 0);
        if (i === last) return fitStart(cell, lastWidth).trimEnd();
        // Sizes (the second column) read best right-aligned.
        return i === 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0);
      })
      .join('  ');
  const out = ['', `${title} (${count(rows.length)})`, line(header)];
  for (const row of shown) out.push(line(row));
  if (rows.length > shown.length)
    out.push(`  … and ${count(rows.length - shown.length)} more (-v shows all, --export-all writes all)`);
  return out;
}

/** Pads to `w` columns, or keeps the end of the text behind an ellipsis. */
function fitStart(text: string, w: number): string {
  const chars = [...text];
  if (chars.length <= w) return text + ' '.repeat(w - chars.length);
  return `…${chars.slice(chars.length - w + 1).join('')}`;
}

function width(text: string): number {
  return [...text].length;
}

function short(sha: string | null): string {
  return sha === null ? '-' : `${sha.slice(0, 12)}…`;
}

function sizeOf(files: readonly RemoteFile[]): number {
  return files.reduce((sum, f) => sum + f.size, 0);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Control characters in hostile file names would break the table (and could move the cursor). */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
