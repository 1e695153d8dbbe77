import { describe, expect, it } from 'vitest';
import { redactUrl, stripUrlCredentials } from '../../sidecar/runtime/redact-url';

const signed =
  'https://civitai-delivery-worker-prod.a.r2.cloudflarestorage.com/model/1/x.safetensors?X-Amz-Expires=86400' +
  '&response-content-disposition=attachment&X-Amz-Credential=AKIA&X-Amz-Signature=deadbeef';

describe('redactUrl', () => {
  it('hides user info, tokens and signatures but keeps the rest readable', () => {
    const out = redactUrl('https://me:secret@civitai.com/api/download/models/1?token=civ_123&type=Model');
    expect(out).toBe('https://civitai.com/api/download/models/1?token=REDACTED&type=Model');
    const cdn = redactUrl(signed);
    expect(cdn).not.toMatch(/deadbeef|AKIA/);
    expect(cdn).toContain('response-content-disposition=attachment');
    expect(redactUrl('https://cdn-lfs.hf.co/x?Expires=1&Signature=abc&Key-Pair-Id=K1')).not.toMatch(/abc|K1/);
  });

  it('never echoes an unparsable input', () => {
    expect(redactUrl('::token=abc')).toBe('<unparsable url>');
  });
});

describe('stripUrlCredentials', () => {
  it('removes credential parameters entirely so the stored URL is clean and still usable', () => {
    expect(stripUrlCredentials('https://civitai.com/api/download/models/1?token=civ_123&type=Model')).toBe(
      'https://civitai.com/api/download/models/1?type=Model',
    );
    expect(stripUrlCredentials(signed)).not.toMatch(/X-Amz/i);
  });
});
