import type { CheckItem, CheckResult } from '../../../shared/check-result';
import { formatBytes } from '../../../shared/format-bytes';

const ACTION: Record<CheckItem['status'], string> = {
  present: 'in place',
  linkable: 'link',
  missing: 'download',
  conflict: 'CONFLICT',
  unavailable: 'UNAVAILABLE',
};

/** The plan `install` shows before asking: one line per model, then what it costs and whether it fits. */
export function formatInstallPlan(result: CheckResult): string {
  const lines: string[] = [];
  const width = Math.min(60, Math.max(10, ...result.items.map((i) => i.targetPath.length)));
  for (const item of result.items) {
    const size = item.size === undefined ? '?' : formatBytes(item.size);
    let note = '';
    if (item.status === 'linkable' && item.source) note = `from ${item.source.path} (${item.source.kind})`;
    else if (item.status === 'missing') note = `${item.url ?? ''}${item.needsToken ? ' (needs a token)' : ''}`;
    else if (item.reason) note = item.reason;
    lines.push(
      `  ${ACTION[item.status].padEnd(11)} ${item.targetPath.padEnd(width)} ${size.padStart(8)}  ${note}`.trimEnd(),
    );
  }
  for (const entry of result.invalid) lines.push(`  ${'INVALID'.padEnd(11)} ${entry.path}: ${entry.message}`);
  const s = result.summary;
  lines.push('');
  lines.push(
    `${s.present} in place, ${s.linkable} to link (saves ${formatBytes(s.bytesSavedByLinking)}), ` +
      `${s.missing} to download (${formatBytes(s.bytesToDownload)}), ${s.conflict} conflicts, ${s.unavailable} unavailable.`,
  );
  const verdict = s.space ?? (s.fits ? 'fits' : 'not-enough');
  const note =
    verdict === 'not-enough'
      ? ' - NOT ENOUGH for the downloads'
      : verdict === 'unknown'
        ? ` - not checked: ${s.unknownSizes ?? 0} download(s) of unknown size`
        : '';
  lines.push(`Free space: ${formatBytes(s.freeBytes)}${note}.`);
  return `${lines.join('\n')}\n`;
}

/** Whether the plan has anything to do (a link or a download). */
export function planHasWork(result: CheckResult): boolean {
  return result.summary.linkable + result.summary.missing > 0;
}
