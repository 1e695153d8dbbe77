import { Text } from 'ink';
import { formatBytes } from '../../shared/format-bytes';
import { formatDuration } from '../../shared/format-duration';
import { fitText } from './fit-text';
import { isInPlace, type TuiRow } from './tui-state';

/** The live total: how many are in place, selected, downloading, the combined speed and what is left. */
export function TotalLine({ rows, width }: { rows: TuiRow[]; width: number }) {
  const downloading = rows.filter((row) => row.job?.state === 'downloading');
  const speed = downloading.reduce((sum, row) => sum + (row.job?.speed ?? 0), 0);
  const left = downloading.reduce((sum, row) => sum + Math.max((row.job?.total ?? 0) - (row.job?.bytes ?? 0), 0), 0);
  const failed = rows.filter((row) => row.job?.state === 'failed' || row.job?.state === 'cancelled').length;
  const parts = [
    `${rows.filter(isInPlace).length}/${rows.length} in place`,
    `${rows.filter((row) => row.selected).length} selected`,
  ];
  if (downloading.length > 0) {
    parts.push(
      `${downloading.length} downloading${speed > 0 ? ` at ${formatBytes(speed)}/s` : ''}`,
      `${formatBytes(left)} left`,
    );
    if (speed > 0) parts.push(`ETA ${formatDuration(left / speed)}`);
  }
  if (failed > 0) parts.push(`${failed} failed`);
  return <Text bold>{fitText(parts.join(' · '), width)}</Text>;
}
