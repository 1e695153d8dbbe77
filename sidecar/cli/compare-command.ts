import type { Command } from 'commander';

// Placeholder: replaced by the issue that builds `compare`.
export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('not built yet')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('model-depot compare: not built yet\n');
      process.exit(1);
    });
}
