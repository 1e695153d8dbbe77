import path from 'node:path';
import type { WanGpModel } from '../../services/wangp/read-wangp-models';
import type { TuiRowLabel } from '../../tui/tui-state';

/**
 * How the terminal UI shows WanGP's files, by their place under ckpts (the check's target path): the model's name as
 * Config (the first model that needs a shared file), its architecture and description on the detail line, and the
 * ckpts folder as Destination. The files of one model are selected together.
 */
export function wanGpTuiLabels(models: readonly WanGpModel[]): Map<string, TuiRowLabel> {
  const labels = new Map<string, TuiRowLabel>();
  for (const model of models) {
    for (const file of model.files) {
      if (labels.has(file.destination)) continue;
      const folder = path.posix.dirname(file.destination);
      const description = model.description === '' ? '' : ` · ${model.description}`;
      labels.set(file.destination, {
        config: model.name,
        destination: folder === '.' ? 'ckpts/' : `ckpts/${folder}/`,
        detail: `${model.architecture}${description}`,
        group: model.id,
      });
    }
  }
  return labels;
}
