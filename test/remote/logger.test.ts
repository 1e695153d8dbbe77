import { describe, expect, it } from 'vitest';
import { createLogger } from '../../sidecar/remote/logger';

describe('createLogger', () => {
  it('redacts Authorization headers, token parameters, Bearer values and known secrets', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), secrets: () => ['civ_verysecret'] });
    logger.info('request https://civitai.com/api/download/models/1?token=civ_verysecret sent', {
      headers: { Authorization: 'Bearer hf_abcdefghijkl', Accept: '*/*' },
      note: 'Bearer hf_abcdefghijkl and hf_zyxwvutsrqpo',
      url: 'https://cdn-lfs.hf.co/x?Signature=sig123',
      token: 'hf_abcdefghijkl',
      free: 'raw civ_verysecret in text',
      job: 'job-1',
      bytes: 42,
    });
    const text = lines.join('\n');
    expect(text).not.toMatch(/abcdefghijkl|zyxwvutsrqpo|civ_verysecret|sig123/);
    const record: unknown = JSON.parse(lines[0] ?? '{}');
    expect(record).toMatchObject({ level: 'info', job: 'job-1', bytes: 42, headers: { Accept: '*/*' } });
  });

  it('drops lines below its level and carries child fields', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), level: 'warn' }).child({ job: 'j2' });
    logger.info('hidden');
    logger.warn('shown', { file: 'a.safetensors' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'shown', job: 'j2', file: 'a.safetensors' });
  });
});
