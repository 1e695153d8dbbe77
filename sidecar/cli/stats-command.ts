import type { Command } from 'commander';

// Placeholder: replaced by the issue that builds `stats`.
export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('not built yet')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('model-depot stats: not built yet\n');
      process.exit(1);
    });
}
