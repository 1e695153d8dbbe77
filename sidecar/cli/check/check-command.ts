import type { Command } from 'commander';
import { extractRequirements } from '../../../shared/workflow/extract-requirements';
import { defaultHashCacheFile, openHashCache } from '../../disk/hashing/hash-cache';
import { freeSpace } from '../../disk/free-space';
import { openRegistry } from '../../registry/open-registry';
import { createHostPolicy } from '../../remote/host-policy';
import { createRemoteLookup } from '../../remote/hub/lookup-remote-file';
import { openMetadataCache } from '../../remote/hub/metadata-cache';
import { checkRequirements } from '../../services/check/check-requirements';
import { checkExitCode } from './check-exit-code';
import { readWorkflowFile } from './check-read-workflow';
import { formatCheckReport } from './check-report';
import { resolveCliContext } from '../cli-context';
import { runAction } from '../run-action';

interface CheckCommandOptions {
  /** commander's `--no-remote`: false when look-ups are turned off. */
  remote: boolean;
}

/**
 * `model-depot check WORKFLOW.json`: what the workflow needs and what this machine has. Read-only (works while a
 * sidecar runs). Exit 0: everything present or installable; 1: a required model is in conflict or unavailable, or
 * the downloads do not fit; 2: the workflow (or part of it) could not be read.
 */
export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('what a workflow needs: present / linkable / missing / conflict / unavailable, sizes, free space')
    .argument('<workflow>', 'a ComfyUI workflow .json file (or one with a seed-000 dependencies section)')
    .option('--no-remote', 'do not ask HuggingFace / Civitai for the SHA-256 of URLs that have none')
    .action(
      runAction(async (workflowFile: string, options: CheckCommandOptions, command: Command) => {
        const context = await resolveCliContext(command);
        const extracted = extractRequirements(await readWorkflowFile(workflowFile));
        const registry = await openRegistry({ modelsRoot: context.modelsRoot, readOnly: true });
        try {
          const hashCache = await openHashCache({ file: defaultHashCacheFile(context.modelsRoot) });
          const endpoints = { hfEndpoint: context.env.hfEndpoint, civitaiEndpoint: context.env.civitaiEndpoint };
          const hostPolicy = createHostPolicy(endpoints);
          // Tokens are passed explicitly (the context keeps them non-enumerable) and go only to the hub hosts.
          const lookupRemote = options.remote
            ? createRemoteLookup({
                ...endpoints,
                cache: await openMetadataCache({ modelsRoot: context.modelsRoot }),
                hfToken: context.env.hfToken,
                civitaiToken: context.env.civitaiToken,
                // One quick retry: the check waits on these; a download retries properly later.
                retry: { limit: 1, baseMs: 300, serverLimitMs: 2000 },
              })
            : undefined;
          const result = await checkRequirements({
            requirements: extracted.requirements,
            invalid: extracted.invalid,
            registry,
            modelsRoot: context.modelsRoot,
            hashCache,
            freeSpace,
            hostPolicy,
            lookupRemote,
          });
          // A file hashed during the check is not hashed again by the next one (nothing is written otherwise).
          await hashCache.save();
          if (context.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          else {
            const report = formatCheckReport(result, {
              modelsRoot: context.modelsRoot,
              quiet: context.quiet,
              tokensInEnv: { huggingface: Boolean(context.env.hfToken), civitai: Boolean(context.env.civitaiToken) },
              hubDirCount: context.hubDirs.length,
            });
            process.stdout.write(report);
          }
          return checkExitCode(result);
        } finally {
          await registry.close();
        }
      }),
    );
}
