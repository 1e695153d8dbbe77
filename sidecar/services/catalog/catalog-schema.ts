import { z } from 'zod';

/** Longest catalog accepted: ComfyUI-Manager's model-list.json is about 1 MB. */
export const MAX_CATALOG_CHARS = 32 * 1024 * 1024;

/** One entry of ComfyUI-Manager's model-list.json. Fields this code does not read are tolerated. */
export const zManagerModel = z
  .object({
    name: z.string().optional(),
    type: z.string().optional(),
    base: z.string().optional(),
    /** A folder under the models root, or `default`: the folder of the entry's `type`. */
    save_path: z.string().optional(),
    filename: z.string().min(1),
    url: z.string().min(1),
    sha256: z.string().optional(),
  })
  .passthrough();

/** ComfyUI-Manager's format: `{ "models": [{ name, type, base, save_path, filename, url, sha256? }] }`. */
export const zManagerModelList = z.object({ models: z.array(z.unknown()) }).passthrough();

/** The plain format: `[{ filename, directory, url, sha256? }]`. */
export const zPlainCatalogEntry = z
  .object({
    filename: z.string().min(1),
    directory: z.string().min(1),
    url: z.string().min(1),
    sha256: z.string().optional(),
  })
  .passthrough();

/** A model a catalog knows, normalized from either format. */
export interface CatalogEntry {
  /** The folder under the models root, as given (`checkpoints`, `ultralytics/bbox`). */
  folder: string;
  filename: string;
  url: string;
  sha256?: string;
  /** The catalog's own name for the model, when it has one. */
  name?: string;
}

/** A catalog of known models: its name (shown as `catalog:<name>`), where it came from, and its entries. */
export interface Catalog {
  name: string;
  /** The file path or URL it was given as. */
  source: string;
  entries: CatalogEntry[];
}
