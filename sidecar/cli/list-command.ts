import type { Command } from 'commander';

// Placeholder: replaced by the issue that builds `list`.
export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('not built yet')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('model-depot list: not built yet\n');
      process.exit(1);
    });
}
