import type { Command } from 'commander';

// Placeholder: replaced by the issue that builds `install`.
export function registerInstallCommand(program: Command): void {
  program
    .command('install')
    .description('not built yet')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('model-depot install: not built yet\n');
      process.exit(1);
    });
}
