import type { Command } from 'commander';
import { doctorDepot } from '../../services/reclaim/doctor-depot';
import { withDepotRegistry } from '../../services/reclaim/with-depot-registry';
import { resolveCliContext } from '../cli-context';
import { runAction } from '../run-action';
import { terminalText } from '../terminal-text';

interface DoctorFlags {
  fix?: boolean;
}

/**
 * `model-depot doctor [--fix]`: broken links, files changed since they were hashed, registered files gone from disk.
 * Exit 0 when all is well (or everything found was fixed), 1 otherwise.
 */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('find broken links, changed files and registered files that are gone; --fix repairs what it can')
    .option('--fix', 're-point broken links to a remaining copy, register changed files again, forget gone ones')
    .action(
      runAction(async (flags: DoctorFlags, command: Command) => {
        const context = await resolveCliContext(command);
        const fix = flags.fix === true;
        const report = await withDepotRegistry(
          { modelsRoot: context.modelsRoot, readOnly: !fix },
          (registry, hashCache) => doctorDepot({ registry, hashCache, fix }),
        );
        const unresolved = report.findings.filter((f) => f.fix?.done !== true);
        if (context.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else {
          const lines = report.findings.map((f) => {
            const fixed = f.fix === undefined ? '' : ` -> ${f.fix.done ? '' : 'not fixed: '}${f.fix.action}`;
            return `${f.kind.padEnd(11)} ${terminalText(f.message)}${terminalText(fixed)}`;
          });
          const hint =
            !fix && report.findings.length > 0 ? ' Run `model-depot doctor --fix` to repair what can be.' : '';
          lines.push(`Checked ${report.checked} registered files: ${report.findings.length} problems.${hint}`);
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        return unresolved.length > 0 ? 1 : 0;
      }),
    );
}
