import type { Command } from 'commander';

// Placeholder: replaced by the issue that builds `migrate`.
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('not built yet')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('model-depot migrate: not built yet\n');
      process.exit(1);
    });
}
