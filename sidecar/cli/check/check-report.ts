import path from 'node:path';
import type { CheckItem, CheckResult } from '../../../shared/check-result';
import { formatBytes } from '../../../shared/format-bytes';
import { redactUrl } from '../../runtime/redact-url';
import { terminalText } from '../terminal-text';

export interface CheckReportOptions {
  /** Source paths inside it are shown relative to it. */
  modelsRoot: string;
  /** `--quiet`: only the items that stop the workflow from running, and invalid entries. */
  quiet: boolean;
  /** Providers whose token is in the environment (HF_TOKEN, CIVITAI_API_TOKEN), for the token hint. */
  tokensInEnv: { huggingface: boolean; civitai: boolean };
  /** Hub folders given (config or --hub-dir), for the hint that check does not scan them. */
  hubDirCount: number;
}

const STATUS_WORD: Readonly<Record<CheckItem['status'], string>> = {
  present: 'present',
  linkable: 'link',
  missing: 'download',
  conflict: 'CONFLICT',
  unavailable: 'UNAVAILABLE',
};

/** The `check` table for people: one row per model, the reason under rows that need action, then the summary. */
export function formatCheckReport(result: CheckResult, options: CheckReportOptions): string {
  const items = options.quiet
    ? result.items.filter((i) => i.status === 'conflict' || i.status === 'unavailable')
    : result.items;
  const out: string[] = [];
  if (items.length > 0) {
    const rows = items.map((item) => [
      STATUS_WORD[item.status],
      printable(item.requirement.category),
      printable(item.requirement.filename),
      item.size === undefined ? '?' : formatBytes(item.size),
      whereFrom(item, options.modelsRoot),
    ]);
    const header = ['STATUS', 'CATEGORY', 'FILE', 'SIZE', 'SOURCE / URL'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    out.push(line(header));
    items.forEach((item, i) => {
      out.push(line(rows[i] ?? []));
      if (item.reason) out.push(`    ${printable(item.reason)}`);
      item.candidates?.forEach((c, n) => {
        out.push(`    ${n + 1}. ${redactUrl(c.url)} (catalog ${printable(c.catalog)}: ${printable(c.path)})`);
      });
      if (!item.requirement.required && item.status !== 'present') out.push('    (optional)');
    });
  }
  if (result.invalid.length > 0) {
    out.push(
      '',
      `${result.invalid.length} entr${result.invalid.length === 1 ? 'y' : 'ies'} of the workflow could not be read:`,
    );
    for (const entry of result.invalid.slice(0, 50))
      out.push(`  ${printable(entry.path)}: ${printable(entry.message)}`);
    if (result.invalid.length > 50) out.push(`  ... and ${result.invalid.length - 50} more`);
  }
  if (!options.quiet) out.push('', ...summaryLines(result, options));
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function whereFrom(item: CheckItem, modelsRoot: string): string {
  if (item.status === 'linkable' && item.source)
    return `<- ${shownPath(item.source.path, modelsRoot)} (${item.source.kind})`;
  if (item.status === 'missing' && item.url) {
    const catalog = item.urlSource?.startsWith('catalog:') ? item.urlSource.slice('catalog:'.length) : undefined;
    return catalog === undefined ? redactUrl(item.url) : `${redactUrl(item.url)} (from catalog ${printable(catalog)})`;
  }
  if (item.status === 'present') return printable(item.targetPath);
  return '';
}

function summaryLines(result: CheckResult, options: CheckReportOptions): string[] {
  const s = result.summary;
  const parts = [`${s.present} present`];
  if (s.linkable) parts.push(`${s.linkable} to link (saves ${formatBytes(s.bytesSavedByLinking)})`);
  const unknownSizes =
    s.unknownSizes ?? result.items.filter((i) => i.status === 'missing' && i.size === undefined).length;
  if (s.missing) {
    const bytes =
      unknownSizes === 0
        ? formatBytes(s.bytesToDownload)
        : `${formatBytes(s.bytesToDownload)} + ${unknownSizes} of unknown size`;
    parts.push(`${s.missing} to download (${bytes})`);
  }
  if (s.conflict) parts.push(`${s.conflict} in conflict`);
  if (s.unavailable) parts.push(`${s.unavailable} unavailable`);
  const lines = [
    `${s.total} model${s.total === 1 ? '' : 's'}: ${parts.join(', ')}.`,
    `Free space: ${formatBytes(s.freeBytes)} in ${options.modelsRoot}` +
      (s.missing ? spaceVerdict(s, unknownSizes) : '.'),
  ];
  if (s.needsToken) {
    const providers = new Set(
      result.items.filter((i) => i.status === 'missing' && i.needsToken).map((i) => i.provider),
    );
    for (const provider of providers) {
      if (provider === 'huggingface') {
        lines.push(
          options.tokensInEnv.huggingface
            ? 'A HuggingFace token is needed; HF_TOKEN is set.'
            : 'A HuggingFace token is needed: set HF_TOKEN, or `install` asks for it.',
        );
      } else if (provider === 'civitai') {
        lines.push(
          options.tokensInEnv.civitai
            ? 'A Civitai token is needed; CIVITAI_API_TOKEN is set.'
            : 'A Civitai token is needed: set CIVITAI_API_TOKEN, or `install` asks for it.',
        );
      }
    }
  }
  if (options.hubDirCount > 0 && s.missing + s.unavailable > 0) {
    lines.push('check reads the registry only: hub folders are indexed when `serve` or `install` starts.');
  }
  if (s.linkable + s.missing > 0 && s.conflict + s.unavailable === 0)
    lines.push('Run `model-depot install` with the same workflow to get them.');
  return lines;
}

function spaceVerdict(s: CheckResult['summary'], unknownSizes: number): string {
  const verdict = s.space ?? (s.fits ? 'fits' : 'not-enough');
  if (verdict === 'not-enough') return `: NOT enough for ${formatBytes(s.bytesToDownload)}.`;
  if (verdict === 'unknown') {
    return `: could not be checked, ${unknownSizes} download${unknownSizes === 1 ? '' : 's'} of unknown size (the known ones, ${formatBytes(s.bytesToDownload)}, fit).`;
  }
  return ': the downloads fit.';
}

function shownPath(file: string, modelsRoot: string): string {
  const relative = path.relative(modelsRoot, file);
  return printable(relative.startsWith('..') || path.isAbsolute(relative) ? file : relative);
}

/** Names come from workflows: a newline or escape sequence must not break (or paint) the terminal. */
function printable(text: string): string {
  return terminalText(text);
}
