import type { Command } from 'commander';

// Placeholder: replaced by the issue that builds `tui`.
export function registerTuiCommand(program: Command): void {
  program
    .command('tui')
    .description('not built yet')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('model-depot tui: not built yet\n');
      process.exit(1);
    });
}
