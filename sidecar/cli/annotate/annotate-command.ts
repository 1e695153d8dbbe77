import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { annotateWorkflow } from '../../services/annotate/annotate-workflow';
import { resolveCliContext } from '../cli-context';
import { openCliDepotReader } from '../create-cli-depot';
import { readWorkflowJson } from '../read-workflow-json';
import { runAction } from '../run-action';
import { terminalText } from '../terminal-text';

interface AnnotateFlags {
  /** `-o FILE`: where to write; default `<name>.annotated.json` beside the workflow. */
  output?: string;
}

/**
 * `model-depot annotate WORKFLOW.json [-o OUT]`: writes the SHA-256 and a URL of each model found on disk into a copy
 * of the workflow. The input is only overwritten when -o names it. Exit 1 when no model could be annotated.
 */
export function registerAnnotateCommand(program: Command): void {
  program
    .command('annotate')
    .description('write the SHA-256 and URL of each model found on disk into the workflow, so it carries its models')
    .argument('<workflow>', 'a ComfyUI workflow .json file')
    .option('-o, --output <file>', 'where to write (default: <workflow>.annotated.json beside it)')
    .action(
      runAction(async (workflowFile: string, flags: AnnotateFlags, command: Command) => {
        const context = await resolveCliContext(command);
        const workflow = await readWorkflowJson(workflowFile);
        const depot = await openCliDepotReader(context);
        let result: Awaited<ReturnType<typeof annotateWorkflow>>;
        try {
          result = await annotateWorkflow({ workflow, depot });
        } finally {
          await depot.close();
        }
        const output = flags.output ?? defaultOutput(workflowFile);
        // A temporary name then a rename: an interrupted write never leaves half a workflow (nor half the input).
        const temp = `${output}.${process.pid}.tmp`;
        await writeFile(temp, `${JSON.stringify(result.workflow, null, 2)}\n`);
        await rename(temp, output);
        const annotated = result.models.filter((m) => m.places.length > 0);
        if (context.json) process.stdout.write(`${JSON.stringify({ output, models: result.models })}\n`);
        else {
          const lines = context.quiet
            ? []
            : result.models.map((m) => {
                const name = terminalText(`${m.category}/${m.filename}`);
                if (m.places.length === 0) return `not annotated  ${name} (${m.status}: not on this machine)`;
                const url = m.url === undefined ? 'no URL known' : terminalText(m.url);
                return `annotated      ${name} ${m.sha256?.slice(0, 12)}… ${url}`;
              });
          lines.push(`Annotated ${annotated.length} of ${result.models.length} models; wrote ${terminalText(output)}.`);
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        return annotated.length > 0 || result.models.length === 0 ? 0 : 1;
      }),
    );
}

function defaultOutput(workflowFile: string): string {
  const parsed = path.parse(workflowFile);
  return path.join(parsed.dir, `${parsed.ext === '.json' ? parsed.name : parsed.base}.annotated.json`);
}
