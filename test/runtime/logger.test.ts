import { describe, expect, it } from 'vitest';
import { createLogger } from '../../sidecar/runtime/logger';

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

  it('cuts a plain key with no token shape out of every line, in raw, JSON-escaped and percent-encoded form', () => {
    // A Civitai key is 32 hex digits: no pattern can tell it from a SHA-256 prefix, only its value can.
    const key = '0123456789abcdef0123456789abcdef';
    const quoted = 'pass"word\\with/odd+chars';
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), secrets: () => [key, quoted] });
    logger.warn(`job failed: https://civitai.com/api/download/models/1?note=${key} answered 404`, {
      detail: `key ${key} refused`,
      encoded: encodeURIComponent(quoted),
      raw: quoted,
      sha256: 'aa'.repeat(32),
    });
    const text = lines.join('\n');
    expect(text).not.toContain(key);
    expect(text).not.toContain(JSON.stringify(quoted).slice(1, -1));
    expect(text).not.toContain(encodeURIComponent(quoted));
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ detail: 'key [redacted] refused', sha256: 'aa'.repeat(32) });
  });

  it('reads its secrets at every line, so a token that arrives later is redacted from then on', () => {
    const held: string[] = [];
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), secrets: () => held });
    held.push('civitaiLateKey0011223344556677');
    logger.info('raw civitaiLateKey0011223344556677 in text');
    expect(lines[0]).not.toContain('civitaiLateKey');
    expect(lines[0]).toContain('[redacted]');
  });
});
