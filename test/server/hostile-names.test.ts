import { readdir } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import type { CheckResult } from '../../shared/check-result';
import type { Job } from '../../shared/job';
import { postJson, test } from './sidecar-fixture';

const BAD = ['\u0001', '\u001b', '\u007f', '\u0085', '\u009b', '\u202a', '\u202e', '\u2066', '\u2069'];
const hex = (c: string) => c.charCodeAt(0).toString(16);

describe('names and folders with control or bidirectional characters', () => {
  test('a workflow naming them gets each one refused as invalid, beside the good entry', async ({ server }) => {
    const dependencies: Record<string, unknown[]> = {
      loras: [
        { filename: 'good.safetensors', urls: ['https://huggingface.co/o/r/resolve/main/good.safetensors'] },
        ...BAD.map((c) => ({ filename: `bad${c}name.safetensors`, urls: ['https://huggingface.co/o/r/x'] })),
      ],
    };
    for (const c of BAD) dependencies[`loras${c}x`] = [{ filename: `f${hex(c)}.safetensors` }];
    const answer = await postJson(server, '/models/check-dependencies', { dependencies });
    expect(answer.status, answer.text).toBe(200);
    const result = answer.json as CheckResult;
    expect(result.items.map((i) => i.requirement.filename)).toEqual(['good.safetensors']);
    expect(result.invalid).toHaveLength(2 * BAD.length);
  });

  test('an install request naming them is refused and writes nothing', async ({ server, modelsRoot }) => {
    for (const c of BAD) {
      for (const item of [
        { category: 'loras', filename: `bad${c}.safetensors`, urls: ['https://huggingface.co/o/r/x'] },
        { category: `loras${c}`, filename: 'ok.safetensors', urls: ['https://huggingface.co/o/r/x'] },
      ]) {
        const answer = await postJson(server, '/models/download', { items: [{ ...item, origin: 'dependencies' }] });
        if (answer.status === 202) {
          const [job] = (answer.json as { jobs: Job[] }).jobs;
          expect(job, `U+${hex(c)} in ${JSON.stringify(item)}`).toMatchObject({ state: 'failed' });
        } else expect(answer.status, `U+${hex(c)}`).toBe(400);
      }
    }
    expect((await readdir(modelsRoot)).filter((n) => !n.startsWith('.'))).toEqual([]);
  });
});
