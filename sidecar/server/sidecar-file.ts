import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../disk/write-file-atomic';
import { removeIfHolding } from './remove-if-holding';

/**
 * `<models root>/.registry/sidecar.json`: which process serves this models folder, and where. The CLI reads it to do
 * its work through that sidecar instead of being refused by the registry lock the sidecar holds.
 */
export const zSidecarFile = z.object({
  pid: z.number().int().positive(),
  /** The address the sidecar listens on, as a URL host (`127.0.0.1`, `[::1]`). */
  host: z.string().min(1).max(300),
  port: z.number().int().min(1).max(65535),
  /** The models root the sidecar's depot serves (absolute). */
  modelsRoot: z.string().min(1),
  version: z.string(),
});
export type SidecarFileContent = z.infer<typeof zSidecarFile>;

export interface WriteSidecarFileOptions {
  /** Where it goes: `<models root>/.registry/sidecar.json` (the folder exists: the registry lives in it). */
  file: string;
  content: SidecarFileContent;
}

export interface SidecarFile {
  readonly file: string;
  /** Deletes the file if it still names this sidecar (a newer sidecar's file is left alone). */
  remove(): Promise<void>;
}

/** Writes the file beside its place and renames it over it, so a reader never sees half of it. */
export async function writeSidecarFile(options: WriteSidecarFileOptions): Promise<SidecarFile> {
  const file = path.resolve(options.file);
  const text = `${JSON.stringify(options.content)}\n`;
  await writeFileAtomic(file, text, { flush: true, mode: 0o600 });
  return {
    file,
    remove: () => removeIfHolding(file, (held) => held === text),
  };
}
