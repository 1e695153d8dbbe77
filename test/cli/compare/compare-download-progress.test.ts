import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCompareDownloadProgress } from '../../../sidecar/cli/compare/compare-download-progress';

/** A stream that passes for a 120-column terminal (or not) and keeps what was written, escape codes removed. */
function fakeTerminal(isTTY: boolean) {
  const pass = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  let raw = '';
  pass.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  return {
    stream: pass,
    raw: () => raw,
    // eslint-disable-next-line no-control-regex
    text: (from = 0) => raw.slice(from).replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ''),
  };
}

const flushed = () => new Promise((resolve) => setImmediate(resolve));
const barOf = (name: string) => new RegExp(`${name.replace(/[.*/]/g, '\\$&')} +\\|[^|\\n]*\\| \\d+% `);

describe('createCompareDownloadProgress', () => {
  it('draws the aggregate bar and a bar per file in flight, each with its name, percent, bytes and speed', async () => {
    const terminal = fakeTerminal(true);
    let now = 0;
    const progress = createCompareDownloadProgress({
      stream: terminal.stream,
      bars: true,
      filesTotal: 3,
      bytesTotal: 4000,
      now: () => now,
    });
    progress.file('a.safetensors', 1000, { bytes: 0 });
    progress.file('sub/b.safetensors', 2000, { bytes: 0 });
    now = 2000;
    progress.file('a.safetensors', 1000, { bytes: 500 });
    progress.file('sub/b.safetensors', 2000, { bytes: 500 });
    progress.stop();
    await flushed();
    const text = terminal.text();
    expect(text).toMatch(/downloading \|[^|]*\| 25% 0\/3 files 1\.0 KB\/4\.0 KB 500 B\/s ETA /);
    expect(text).toMatch(/a\.safetensors +\|[^|]*\| 50% 500 B\/1\.0 KB 250 B\/s/);
    expect(text).toMatch(/sub\/b\.safetensors +\|[^|]*\| 25% 500 B\/2\.0 KB 250 B\/s/);
  });

  it("takes a finished file's bar away and keeps its line above the bars still running", async () => {
    const terminal = fakeTerminal(true);
    const progress = createCompareDownloadProgress({
      stream: terminal.stream,
      bars: true,
      filesTotal: 2,
      bytesTotal: 3000,
    });
    progress.file('a.safetensors', 1000, { bytes: 1000, state: 'verifying' });
    progress.file('b.safetensors', 2000, { bytes: 100 });
    await flushed();
    const before = terminal.raw().length;
    progress.finished('a.safetensors', '  ✓ 1/2 a.safetensors (1.0 KB)');
    progress.stop();
    await flushed();
    const after = terminal.text(before);
    expect(after).toContain('  ✓ 1/2 a.safetensors (1.0 KB)\n');
    expect(after).not.toMatch(barOf('a.safetensors'));
    expect(after).toMatch(barOf('b.safetensors'));
    expect(after).toMatch(/downloading \|[^|]*\| \d+% 1\/2 files 1\.1 KB\/3\.0 KB/);
  });

  it('shows "verifying" for a file whose bytes all arrived, and cuts long names at the front to line up', async () => {
    const terminal = fakeTerminal(true);
    const long = 'very/deep/folder/structure/of/the/repository/model-00001-of-00002.safetensors';
    const progress = createCompareDownloadProgress({
      stream: terminal.stream,
      bars: true,
      filesTotal: 1,
      bytesTotal: 10,
    });
    progress.file(long, 10, { bytes: 10, state: 'verifying' });
    progress.stop();
    await flushed();
    expect(terminal.text()).toMatch(/\n…odel-00001-of-00002\.safetensors \|[^|]*\| 100% 10 B\/10 B verifying/);
  });

  it('leaves a resumed prefix out of the speeds', async () => {
    const terminal = fakeTerminal(true);
    let now = 0;
    const progress = createCompareDownloadProgress({
      stream: terminal.stream,
      bars: true,
      filesTotal: 1,
      bytesTotal: 1000,
      now: () => now,
    });
    progress.file('a.safetensors', 1000, { bytes: 600 });
    now = 2000;
    progress.file('a.safetensors', 1000, { bytes: 800 });
    progress.stop();
    await flushed();
    expect(terminal.text()).toMatch(/a\.safetensors +\|[^|]*\| 80% 800 B\/1\.0 KB 100 B\/s/);
    expect(terminal.text()).toMatch(/downloading \|[^|]*\| 80% 0\/1 files 800 B\/1\.0 KB 100 B\/s/);
  });

  it('without bars (not a terminal, --json, --quiet) writes only the lines it is given, as plain text', async () => {
    const terminal = fakeTerminal(false);
    const progress = createCompareDownloadProgress({
      stream: terminal.stream,
      bars: false,
      filesTotal: 2,
      bytesTotal: 3000,
    });
    progress.file('a.safetensors', 1000, { bytes: 500 });
    progress.finished('a.safetensors');
    progress.finished('b.safetensors', '  ✗ 2/2 b.safetensors: HTTP 500');
    progress.stop();
    await flushed();
    expect(terminal.raw()).toBe('  ✗ 2/2 b.safetensors: HTTP 500\n');
  });
});
