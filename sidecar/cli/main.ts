import { Command } from 'commander';
import { VERSION } from '../version';
import { registerServeCommand } from './serve-command';
import { registerCheckCommand } from './check/check-command';
import { registerInstallCommand } from './install/install-command';
import { registerMigrateCommand } from './migrate-command';
import { registerStatsCommand } from './stats-command';
import { registerListCommand } from './list-command';
import { registerCompareCommand } from './compare/compare-command';
import { registerTuiCommand } from './tui-command';
import { registerComfyuiInstallCommand } from './comfyui-install-command';
import { registerCatalogCommand } from './catalog-command';
import { registerDedupeCommand } from './reclaim/dedupe-command';
import { registerRemoveCommand } from './reclaim/remove-command';
import { registerDoctorCommand } from './reclaim/doctor-command';
import { registerPruneCommand } from './reclaim/prune-command';
import { registerAnnotateCommand } from './annotate/annotate-command';

const collect = (value: string, previous: string[]) => [...previous, value];

const program = new Command('model-depot')
  .description('Finds, links and downloads the models a ComfyUI workflow needs.')
  .version(VERSION)
  .option('--models <dir>', 'models root (default: from the config, else ./models)')
  .option('--config <file>', 'config file (default: ~/.config/model-depot/config.json)')
  .option('--hub-dir <dir>', 'a folder of models to link from (repeatable)', collect, [])
  .option('--catalog <file|url>', 'a catalog of known models to find URLs in (repeatable)', collect, [])
  .option('--json', 'machine-readable output')
  .option('--quiet', 'print only errors')
  .option('--offline', 'send no request: check from disk, install links only (also HF_HUB_OFFLINE=1)')
  .showHelpAfterError()
  .exitOverride((err) => {
    // commander's usage errors are bad usage: exit 2 (DESIGN.md); --help and --version exit 0.
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

registerServeCommand(program);
registerCheckCommand(program);
registerInstallCommand(program);
registerMigrateCommand(program);
registerStatsCommand(program);
registerListCommand(program);
registerCompareCommand(program);
registerTuiCommand(program);
registerComfyuiInstallCommand(program);
registerCatalogCommand(program);
registerDedupeCommand(program);
registerRemoveCommand(program);
registerDoctorCommand(program);
registerPruneCommand(program);
registerAnnotateCommand(program);

await program.parseAsync(process.argv);
