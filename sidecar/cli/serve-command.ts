import type { Command } from 'commander';

// Placeholder: replaced by the issue that builds `serve`.
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('not built yet')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('model-depot serve: not built yet\n');
      process.exit(1);
    });
}
