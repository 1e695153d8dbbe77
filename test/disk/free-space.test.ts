import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeSpace } from '../../sidecar/disk/free-space';

describe('freeSpace', () => {
  it('measures a directory that does not exist yet at its nearest existing parent', async () => {
    const here = await freeSpace(os.tmpdir());
    const later = await freeSpace(path.join(os.tmpdir(), 'md-not-yet', 'deeper'));
    expect(here).toBeGreaterThan(0);
    expect(Math.abs(later - here)).toBeLessThan(here * 0.05 + 1e8);
  });
});
