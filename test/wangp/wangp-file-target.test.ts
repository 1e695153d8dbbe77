import { describe, expect, it } from 'vitest';
import { wanGpFileTarget } from '../../sidecar/wangp/wangp-file-target';
import { hfUrl } from './wangp-install-fixture';

function problemOf(result: ReturnType<typeof wanGpFileTarget>): string {
  if (!('problem' in result)) throw new Error(`expected a problem, got ${JSON.stringify(result)}`);
  return result.problem;
}

describe('wanGpFileTarget', () => {
  it('puts a plain URL at the top of ckpts under its last path part', () => {
    expect(wanGpFileTarget({ entry: hfUrl('dragon_int8.safetensors') })).toEqual({
      url: hfUrl('dragon_int8.safetensors'),
      filename: 'dragon_int8.safetensors',
      destination: 'dragon_int8.safetensors',
    });
  });

  it('puts a "|subfolder" entry in that subfolder and drops the suffix from the URL', () => {
    expect(wanGpFileTarget({ entry: `${hfUrl('voice.safetensors')}|speech/v2` })).toEqual({
      url: hfUrl('voice.safetensors'),
      filename: 'voice.safetensors',
      destination: 'speech/v2/voice.safetensors',
    });
  });

  it('puts a file under its folder, then its subfolder', () => {
    const target = wanGpFileTarget({ entry: `${hfUrl('lm_int8.safetensors')}|extra`, folder: 'lm-1B' });
    expect(target).toMatchObject({ destination: 'lm-1B/extra/lm_int8.safetensors' });
    expect(wanGpFileTarget({ entry: hfUrl('lm.safetensors'), folder: './lm-1B/' })).toMatchObject({
      destination: 'lm-1B/lm.safetensors',
    });
  });

  it('refuses entries that are not http(s) URLs', () => {
    expect(problemOf(wanGpFileTarget({ entry: 'my_finetune.safetensors' }))).toMatch(/not an http\(s\) URL/);
    expect(problemOf(wanGpFileTarget({ entry: 'ftp://example.com/a.safetensors' }))).toMatch(/not an http\(s\) URL/);
  });

  it('refuses destinations outside ckpts', () => {
    expect(problemOf(wanGpFileTarget({ entry: `${hfUrl('a.safetensors')}|../../etc` }))).toMatch(/contains "\.\."/);
    expect(problemOf(wanGpFileTarget({ entry: `${hfUrl('a.safetensors')}|/etc` }))).toMatch(/absolute path/);
    expect(problemOf(wanGpFileTarget({ entry: `${hfUrl('a.safetensors')}|C:\\models` }))).toMatch(/absolute path/);
    expect(problemOf(wanGpFileTarget({ entry: hfUrl('a.safetensors'), folder: '../te' }))).toMatch(/contains "\.\."/);
    expect(problemOf(wanGpFileTarget({ entry: `${hfUrl('a.safetensors')}|%lora_dir` }))).toMatch(/loras folder/);
  });

  it('refuses names files cannot have and URLs without a file name', () => {
    expect(problemOf(wanGpFileTarget({ entry: hfUrl('a.safetensors?download=true') }))).toMatch(
      /characters files cannot have/,
    );
    expect(problemOf(wanGpFileTarget({ entry: 'https://huggingface.co/acme/Video/resolve/main/' }))).toMatch(
      /does not end in a file name/,
    );
    expect(problemOf(wanGpFileTarget({ entry: `${hfUrl('a.safetensors')}|x|y` }))).toMatch(/more than one "\|"/);
  });
});
