import { Command } from 'commander';
import { VERSION } from '../version';

/** A command module's export: adds the command (arguments, options, action) to the program. */
type RegisterCommand = (program: Command) => void;

/**
 * Every command by name, with the import of the module that defines it. Only the module of the command on the line is
 * loaded, so `stats` or `check` never load express, ws or ink; `--help`, `help` and an unknown name load them all, to
 * list them or suggest one. A new command is one line here.
 */
const COMMANDS: Readonly<Record<string, () => Promise<RegisterCommand>>> = {
  serve: () => import('./serve-command').then((m) => m.registerServeCommand),
  check: () => import('./check/check-command').then((m) => m.registerCheckCommand),
  install: () => import('./install/install-command').then((m) => m.registerInstallCommand),
  migrate: () => import('./migrate-command').then((m) => m.registerMigrateCommand),
  stats: () => import('./stats-command').then((m) => m.registerStatsCommand),
  list: () => import('./list-command').then((m) => m.registerListCommand),
  compare: () => import('./compare/compare-command').then((m) => m.registerCompareCommand),
  tui: () => import('./tui-command').then((m) => m.registerTuiCommand),
  'comfyui-install': () => import('./comfyui-install-command').then((m) => m.registerComfyuiInstallCommand),
  catalog: () => import('./catalog/catalog-command').then((m) => m.registerCatalogCommand),
  dedupe: () => import('./reclaim/dedupe-command').then((m) => m.registerDedupeCommand),
  remove: () => import('./reclaim/remove-command').then((m) => m.registerRemoveCommand),
  doctor: () => import('./reclaim/doctor-command').then((m) => m.registerDoctorCommand),
  prune: () => import('./reclaim/prune-command').then((m) => m.registerPruneCommand),
  annotate: () => import('./annotate/annotate-command').then((m) => m.registerAnnotateCommand),
  wangp: () => import('./wangp/wangp-command').then((m) => m.registerWanGpCommand),
};

const collect = (value: string, previous: string[]) => [...previous, value];

/** The program with its global options and no command yet. */
function createProgram(): Command {
  return new Command('model-depot')
    .description('Finds, links and downloads the models a ComfyUI workflow needs.')
    .version(VERSION)
    .option('--models <dir>', 'models root (default: from the config, else ./models)')
    .option('--config <file>', 'config file (default: ~/.config/model-depot/config.json)')
    .option('--hub-dir <dir>', 'a folder of models to link from (repeatable)', collect, [])
    .option('--catalog <file|url>', 'a catalog of known models to find URLs in (repeatable)', collect, [])
    .option('--json', 'machine-readable output')
    .option('--quiet', 'print only errors')
    .option('--offline', 'send no request: check from disk, install links only (also HF_HUB_OFFLINE=1)')
    .option('--wan2gp <dir>', "a WanGP install or its ckpts folder (default: the config's wan2gp_directory)")
    .showHelpAfterError()
    .exitOverride((err) => {
      // commander's usage errors are bad usage: exit 2; --help and --version exit 0.
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
}

/**
 * The command named on the line: the first operand once the global options are read (by a program of its own, so
 * repeatable options are not collected twice). `--version` is answered here, before any command module loads.
 */
function commandName(args: readonly string[]): string | undefined {
  return createProgram().parseOptions([...args]).operands[0];
}

/** Registers the command on the line (every command for help or an unknown name) and runs it. */
async function main(): Promise<void> {
  const name = commandName(process.argv.slice(2));
  const wanted = name !== undefined && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name]] : Object.values(COMMANDS);
  const program = createProgram();
  for (const register of await Promise.all(wanted.map((load) => load?.()))) register?.(program);
  await program.parseAsync(process.argv);
}

// Not a top-level await: the built CLI is a CommonJS file (build.mjs). A failure that no command caught still ends
// the process with its stack and exit code 1, as an unhandled rejection does.
void main();
