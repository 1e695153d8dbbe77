import path from 'node:path';
import type { Command } from 'commander';
import { formatBytes } from '../../shared/format-bytes';
import type { ModelListing } from '../services/depot/depot-types';
import { openCliDepotReader } from './create-cli-depot';
import { resolveCliContext } from './cli-context';
import { runAction } from './run-action';
import { zListAnswer } from '../services/depot/depot-answer-schemas';
import { findCommandSidecar } from './through-sidecar/find-sidecar';
import { sidecarRequest } from './through-sidecar/sidecar-request';
import { terminalText } from './terminal-text';

/** `model-depot list`: every registered model with its aliases, by category then path. Read-only. */
export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('every registered model with its aliases and sources')
    .action(
      runAction(async (_options: unknown, command: Command) => {
        const context = await resolveCliContext(command);
        const sidecar = await findCommandSidecar(context);
        const models = sidecar
          ? (await sidecarRequest(sidecar, { method: 'GET', path: '/models', answer: zListAnswer })).models
          : (await openCliDepotReader(context)).list();
        if (context.json) {
          process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
          return;
        }
        if (models.length === 0) {
          process.stdout.write(
            `No models registered in ${context.modelsRoot}. Run \`model-depot migrate\` to index them.\n`,
          );
          return;
        }
        process.stdout.write(formatModelTable(models, context.modelsRoot));
      }),
    );
}

/** A table for people: paths relative to the models root when inside it, aliases and sources indented below. */
function formatModelTable(models: ModelListing[], modelsRoot: string): string {
  const show = (p: string | null): string => {
    if (p === null) return '(no file)';
    const relative = path.relative(modelsRoot, p);
    // A newline or escape sequence in a file name would break (or paint) the table: shown escaped.
    return terminalText(relative.startsWith('..') || path.isAbsolute(relative) ? p : relative);
  };
  const rows = models.map((m) => [
    terminalText(m.category ?? '-'),
    formatBytes(m.size),
    m.sha256.slice(0, 12),
    show(m.file_path),
  ]);
  const header = ['CATEGORY', 'SIZE', 'SHA256', 'FILE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const indent = ' '.repeat(widths.slice(0, 3).reduce((sum, w) => sum + w + 2, 0));
  const out = [line(header)];
  models.forEach((model, i) => {
    out.push(line(rows[i] ?? []));
    for (const alias of model.aliases) out.push(`${indent}= ${show(alias)}`);
    for (const source of model.sources) out.push(`${indent}< ${terminalText(source)}`);
  });
  const total = models.reduce((sum, m) => sum + m.size, 0);
  out.push(
    '',
    `${models.length} models, ${models.reduce((n, m) => n + m.aliases.length, 0)} aliases, ${formatBytes(total)}`,
  );
  return `${out.join('\n')}\n`;
}
