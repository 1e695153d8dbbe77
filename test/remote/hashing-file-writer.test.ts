import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { HashingFileWriter } from '../../sidecar/remote/hashing-file-writer';
import { InlineHasher } from '../../sidecar/remote/inline-hasher';

describe('HashingFileWriter', () => {
  // /dev/full answers every write with ENOSPC: a full disk without filling one.
  it.skipIf(!existsSync('/dev/full'))('turns ENOSPC into DISK_FULL that says the partial file was kept', async () => {
    const handle = await open('/dev/full', 'w');
    try {
      const writer = new HashingFileWriter({ handle, hasher: new InlineHasher(), startBytes: 0, name: 'x.safetensors', onWritten: () => {} });
      await expect(pipeline(Readable.from([Buffer.alloc(4096)]), writer)).rejects.toMatchObject({
        code: 'DISK_FULL',
        message: expect.stringMatching(/disk filled up.*partial file was kept/),
      });
      expect(writer.bytes).toBe(0);
    } finally {
      await handle.close();
    }
  });
});
