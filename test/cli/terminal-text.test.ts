import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { zCheckResult } from '../../shared/check-result';
import type { Job } from '../../shared/job';
import { formatCheckReport } from '../../sidecar/cli/check/check-report';
import { createInstallProgress } from '../../sidecar/cli/install/install-progress';
import { terminalText } from '../../sidecar/cli/terminal-text';

// Every character a terminal acts on or that reorders text: C0, DEL, C1 (U+009B is a one-byte CSI), bidi controls.
const HOSTILE = ['\u0000', '\n', '\u001b[2J', '\u007f', '\u0085', '\u009b31m', '\u202a', '\u202e', '\u2066', '\u2069'];
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminalText', () => {
  it('shows every control and bidirectional character as its escape and leaves other text alone', () => {
    for (const bad of HOSTILE) expect(terminalText(`a${bad}b`)).not.toMatch(RAW);
    expect(terminalText('evil\u202efdp.safetensors')).toBe('evil\\u202efdp.safetensors');
    expect(terminalText('x\u009b2J')).toBe('x\\u009b2J');
    expect(terminalText('a\nb\u001b')).toBe('a\\nb\\u001b');
    expect(terminalText('Modèle ☃ 模型.safetensors')).toBe('Modèle ☃ 模型.safetensors');
  });
});

describe('formatCheckReport', () => {
  it('escapes names, folders, paths, reasons and invalid entries that came from outside', () => {
    const result = zCheckResult.parse({
      items: [
        {
          requirement: { category: 'loras\u009b', filename: 'a\u202e.safetensors', origin: 'dependencies' },
          status: 'linkable',
          targetPath: '/m/loras/a.safetensors',
          source: { path: '/hub/b\u001b[2J.safetensors', kind: 'hub' },
          reason: 'host said \u009b31mno\u2066',
        },
        {
          requirement: { category: 'vae', filename: 'v.safetensors', origin: 'dependencies' },
          status: 'present',
          targetPath: '/m/vae/v\u0085.safetensors',
        },
      ],
      summary: {
        total: 2,
        present: 1,
        linkable: 1,
        missing: 0,
        conflict: 0,
        unavailable: 0,
        bytesToDownload: 0,
        bytesSavedByLinking: 0,
        freeBytes: 1e9,
        fits: true,
        needsToken: false,
      },
      invalid: [{ path: 'nodes[1]\u007f', message: 'bad \u202dname' }],
    });
    const text = formatCheckReport(result, {
      modelsRoot: '/m',
      quiet: false,
      tokensInEnv: { huggingface: false, civitai: false },
      hubDirCount: 0,
    });
    expect(text).not.toMatch(RAW);
    expect(text).toContain('a\\u202e.safetensors');
    expect(text).toContain('loras\\u009b');
    expect(text).toContain('b\\u001b[2J.safetensors');
  });
});

describe('createInstallProgress', () => {
  it('prints job lines with the target path and error escaped', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    const progress = createInstallProgress({ stream: stream as unknown as NodeJS.WriteStream, bars: false });
    const job: Job = {
      id: 'job-1',
      filename: 'x\u009b2J.safetensors',
      category: 'loras',
      targetPath: '/m/loras/x\u009b2J.safetensors',
      state: 'failed',
      bytes: 0,
      speed: 0,
      error: { code: 'IO', message: 'host said \u001b]0;title\u0007' },
    };
    progress.update(job);
    progress.stop();
    expect(text).toContain('x\\u009b2J.safetensors');
    expect(text).not.toMatch(RAW);
  });
});
