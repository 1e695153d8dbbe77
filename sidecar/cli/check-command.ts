import type { Command } from 'commander';

// Placeholder: replaced by the issue that builds `check`.
export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('not built yet')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('model-depot check: not built yet\n');
      process.exit(1);
    });
}
