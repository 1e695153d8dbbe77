import type { Command } from 'commander';
import { z } from 'zod';
import { installComfyuiExtension } from '../services/comfyui/install-comfyui-extension';
import { runAction } from './run-action';

const zFlags = z.object({
  comfyui: z.string().min(1),
  link: z.boolean().optional(),
  json: z.boolean().optional(),
  quiet: z.boolean().optional(),
});

/** `model-depot comfyui-install --comfyui DIR [--link]`: the frontend extension as a ComfyUI custom node. */
export function registerComfyuiInstallCommand(program: Command): void {
  program
    .command('comfyui-install')
    .description('install the frontend extension into ComfyUI/custom_nodes')
    .requiredOption('--comfyui <dir>', 'the ComfyUI folder (holds main.py and custom_nodes/)')
    .option('--link', 'symlink to dist/ instead of copying (follows later rebuilds)')
    .action(
      runAction(async (_options: unknown, command: Command) => {
        const flags = zFlags.parse(command.optsWithGlobals());
        const installed = await installComfyuiExtension({
          comfyuiDir: flags.comfyui,
          mode: flags.link ? 'symlink' : 'copy',
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(installed)}\n`);
          return;
        }
        if (flags.quiet) return;
        process.stdout.write(
          [
            `Installed the model-depot extension into ${installed.target} (${installed.mode === 'symlink' ? 'linked' : 'copied'}${installed.built ? ', built first' : ''}${installed.replaced ? ', replacing the earlier install' : ''}).`,
            'Restart ComfyUI (or reload its page) to load it, and keep the sidecar running: npx model-depot serve',
            '',
          ].join('\n'),
        );
      }),
    );
}
