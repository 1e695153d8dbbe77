/** The block size direct (O_DIRECT) file writes are aligned to: offsets, lengths and memory addresses. */
export const DIRECT_IO_BLOCK = 4096;

const WASM_PAGE = 64 * 1024;

/**
 * Shared memory whose start is page-aligned, as O_DIRECT writes need. Node has no aligned allocation; a WebAssembly
 * memory is mapped page by page, so its buffer starts on a page boundary. Shared, so the hash worker reads the same
 * bytes the file writes come from. `bytes` is rounded up to 64 KiB.
 */
export function pageAlignedMemory(bytes: number): SharedArrayBuffer {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  const buffer: unknown = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer;
  if (!(buffer instanceof SharedArrayBuffer)) throw new Error('this Node has no shared WebAssembly memory');
  return buffer;
}
