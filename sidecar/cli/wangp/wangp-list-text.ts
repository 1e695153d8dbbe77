import { formatBytes } from '../../../shared/format-bytes';
import type { WanGpModelStatus } from '../../services/wangp/check-wangp-models';
import type { WanGpProblem } from '../../services/wangp/read-wangp-models';
import { terminalText } from '../terminal-text';

const STATUS_WORDS = {
  present: 'in place',
  linkable: 'linkable',
  missing: 'to download',
  conflict: 'conflict',
  unavailable: 'unavailable',
} as const;

/** `wangp list` for people: a block per model, a line per file; definitions left out at the end. */
export function wanGpListText(models: readonly WanGpModelStatus[], problems: readonly WanGpProblem[]): string {
  const lines: string[] = [];
  for (const model of models) {
    const size = model.size === undefined ? '?' : formatBytes(model.size);
    lines.push(
      terminalText(`${model.name} (${model.id}, ${model.architecture}): ${STATUS_WORDS[model.status]}, ${size}`),
    );
    for (const file of model.files) {
      const fileSize = file.size === undefined ? '?' : formatBytes(file.size);
      const reason = file.reason === undefined ? '' : ` (${file.reason})`;
      lines.push(
        terminalText(
          `  ${STATUS_WORDS[file.status].padEnd(11)} ${fileSize.padStart(8)}  ckpts/${file.destination}${reason}`,
        ),
      );
    }
  }
  if (models.length === 0) lines.push('No visible WanGP model.');
  for (const problem of problems) lines.push(terminalText(`Left out: ${problem.message}`));
  return `${lines.join('\n')}\n`;
}
