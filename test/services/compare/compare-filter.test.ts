import { describe, expect, it } from 'vitest';
import { createCompareFilter } from '../../../sidecar/services/compare/compare-filter';

describe('createCompareFilter', () => {
  it('matches the --filter examples against the base name, wherever the file sits', () => {
    const contains = createCompareFilter({ pattern: '*wan22*' });
    expect(contains.remote('loras/my-WAN22-style.safetensors')).toBe(true);
    expect(contains.remote('loras/other.safetensors')).toBe(false);
    const starts = createCompareFilter({ pattern: 'wan22*' });
    expect(starts.remote('deep/dir/wan22_a.safetensors')).toBe(true);
    expect(starts.remote('deep/dir/my_wan22.safetensors')).toBe(false);
    const one = createCompareFilter({ pattern: 'v?.safetensors' });
    expect(one.remote('v2.safetensors')).toBe(true);
    expect(one.remote('v10.safetensors')).toBe(false);
  });

  it('matches a pattern with a slash against the whole relative path, and locals by its last segment', () => {
    const filter = createCompareFilter({ pattern: 'loras/*-v2.safetensors' });
    expect(filter.remote('loras/a-v2.safetensors')).toBe(true);
    expect(filter.remote('other/a-v2.safetensors')).toBe(false);
    expect(filter.local('a-v2.safetensors', true)).toBe(true);
  });

  it('keeps .safetensors only, but cannot exclude an extension-less local name', () => {
    const filter = createCompareFilter({ safetensorsOnly: true });
    expect(filter.remote('a.ckpt')).toBe(false);
    expect(filter.remote('a.SafeTensors')).toBe(true);
    expect(filter.local('stem_only', false)).toBe(true);
    expect(filter.local('a.ckpt', true)).toBe(false);
  });

  it('refuses an empty pattern as bad input', () => {
    expect(() => createCompareFilter({ pattern: ' ' })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});
