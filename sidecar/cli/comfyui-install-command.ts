import type { Command } from 'commander';

// Placeholder: replaced by the issue that builds `comfyui-install`.
export function registerComfyuiInstallCommand(program: Command): void {
  program
    .command('comfyui-install')
    .description('not built yet')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('model-depot comfyui-install: not built yet\n');
      process.exit(1);
    });
}
