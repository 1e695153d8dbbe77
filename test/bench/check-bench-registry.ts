import { createHash } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openRegistry } from '../../sidecar/registry/open-registry';

/** The registry the check benches measure against: 10,000 models, 50 of which a workflow asks for. */
export const REGISTRY_MODELS = 10_000;
export const WORKFLOW_MODELS = 50;

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Registers REGISTRY_MODELS models from a hub folder beside `modelsRoot` and returns the SHA-256s of the
 * WORKFLOW_MODELS that are real files (the check stats link sources); the rest exist only in the registry.
 */
export async function seedCheckRegistry(modelsRoot: string): Promise<string[]> {
  const registry = await openRegistry({ modelsRoot });
  const hubDir = path.join(modelsRoot, '..', 'hub');
  await mkdir(hubDir, { recursive: true });
  const wanted: string[] = [];
  await registry.batch(async () => {
    for (let i = 0; i < REGISTRY_MODELS; i++) {
      const sha256 = sha(`model-${i}`);
      const file = path.join(hubDir, `model-${i}.safetensors`);
      if (i % (REGISTRY_MODELS / WORKFLOW_MODELS) === 0) {
        await writeFile(file, `bytes of model ${i}`);
        await registry.addFile({ path: file, sha256, kind: 'hub', category: 'loras', stat: await stat(file) });
        wanted.push(sha256);
      } else {
        await registry.upsertModel({ sha256, size: 1000 + i, category: 'loras' });
        await registry.addFile({ path: file, sha256, kind: 'hub', category: 'loras' });
      }
    }
  });
  await registry.close();
  return wanted;
}

/** A workflow whose `dependencies` ask for these models under other names (so each is linkable). */
export function checkBenchWorkflow(shas: readonly string[]) {
  return {
    dependencies: {
      loras: shas.map((sha256, i) => ({
        filename: `wanted-${i}.safetensors`,
        sha256,
        urls: [`https://huggingface.co/org/repo/resolve/main/wanted-${i}.safetensors`],
      })),
    },
  };
}

/** The p-th percentile of ascending `sorted` times. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
