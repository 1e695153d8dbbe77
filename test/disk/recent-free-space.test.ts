import { describe, expect, it } from 'vitest';
import { recentFreeSpace } from '../../sidecar/disk/recent-free-space';

describe('recentFreeSpace', () => {
  it('answers from a measure younger than maxAgeMs, per folder, and measures again after', async () => {
    let now = 0;
    let free = 1000;
    const measured: string[] = [];
    const space = recentFreeSpace({
      now: () => now,
      maxAgeMs: 1000,
      measure: async (dir) => {
        measured.push(dir);
        return free;
      },
    });
    expect(await space('/a')).toBe(1000);
    free = 500;
    now = 999;
    expect(await space('/a')).toBe(1000);
    expect(await space('/b')).toBe(500);
    now = 1000;
    expect(await space('/a')).toBe(500);
    expect(measured).toEqual(['/a', '/b', '/a']);
  });

  it('does not keep a failed measure', async () => {
    let fail = true;
    const space = recentFreeSpace({
      now: () => 0,
      measure: async () => {
        if (fail) throw new Error('EIO');
        return 42;
      },
    });
    await expect(space('/a')).rejects.toThrow('EIO');
    fail = false;
    expect(await space('/a')).toBe(42);
  });
});
