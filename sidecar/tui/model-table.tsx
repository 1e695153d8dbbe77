import { Box, Text } from 'ink';
import { fitText } from './fit-text';
import type { Palette } from './palettes';
import { rowStatus } from './row-status';
import { tableColumns } from './table-columns';
import type { TuiRow } from './tui-state';

export interface ModelTableProps {
  rows: TuiRow[];
  cursor: number;
  /** First row shown: the table is a window over the rows. */
  top: number;
  height: number;
  width: number;
  palette: Palette;
}

function sizeGb(bytes: number | undefined): string {
  return bytes === undefined ? '?' : (bytes / 1e9).toFixed(2);
}

function statusCell(row: TuiRow, width: number): string {
  const status = rowStatus(row);
  if (status.fraction === undefined) return fitText(status.label, width);
  const percent = `${Math.floor(status.fraction * 100)}%`.padStart(4);
  const barWidth = Math.max(width - status.label.length - percent.length - 2, 3);
  const filled = Math.round(status.fraction * barWidth);
  return fitText(`${status.label} ${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}${percent}`, width);
}

export function ModelTable({ rows, cursor, top, height, width, palette }: ModelTableProps) {
  const columns = tableColumns(width);
  const header = [
    fitText('✓', columns.check),
    fitText('Config', columns.config),
    fitText('Model File', columns.file),
    fitText('Size (GB)', columns.size),
    fitText('Status', columns.status),
    fitText('Destination', columns.destination),
  ].join(' ');
  const shown = rows.slice(top, top + height);
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold underline>
        {fitText(header, width)}
      </Text>
      {shown.map((row, i) => {
        const status = rowStatus(row);
        const isCursor = top + i === cursor;
        const destination = row.label?.destination ?? `${row.item.targetPath.split('/').slice(0, -1).join('/')}/`;
        return (
          <Text key={row.key} inverse={isCursor}>
            {fitText(row.selected ? '✓' : '·', columns.check)}{' '}
            {fitText(row.label?.config ?? row.item.requirement.category, columns.config)}{' '}
            {fitText(row.item.requirement.filename, columns.file, 'middle')}{' '}
            {fitText(sizeGb(row.item.size ?? row.item.requirement.size).padStart(columns.size - 1), columns.size)}{' '}
            <Text color={palette.tones[status.tone]}>{statusCell(row, columns.status)}</Text>{' '}
            {fitText(destination, columns.destination, 'end')}
          </Text>
        );
      })}
    </Box>
  );
}
