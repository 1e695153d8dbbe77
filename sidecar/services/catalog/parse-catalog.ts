import { DepotError } from '../../../shared/errors';
import { zSha256 } from '../../../shared/requirement';
import { zModelUrl } from '../../../shared/workflow/workflow-schema';
import {
  type Catalog,
  type CatalogEntry,
  MAX_CATALOG_CHARS,
  zManagerModel,
  zManagerModelList,
  zPlainCatalogEntry,
} from './catalog-schema';

/**
 * ComfyUI-Manager's `type` values and the folder its `save_path: "default"` means for each, as the Manager's
 * model installer maps them.
 */
const MANAGER_TYPE_FOLDERS: ReadonlyMap<string, string> = new Map([
  ['checkpoint', 'checkpoints'],
  ['checkpoints', 'checkpoints'],
  ['unclip', 'checkpoints'],
  ['lora', 'loras'],
  ['loras', 'loras'],
  ['vae', 'vae'],
  ['vae_approx', 'vae_approx'],
  ['taesd', 'vae_approx'],
  ['upscale', 'upscale_models'],
  ['controlnet', 'controlnet'],
  ['t2i-adapter', 'controlnet'],
  ['t2i-style', 'style_models'],
  ['clip', 'text_encoders'],
  ['text_encoders', 'text_encoders'],
  ['clip_vision', 'clip_vision'],
  ['gligen', 'gligen'],
  ['embeddings', 'embeddings'],
  ['embedding', 'embeddings'],
  ['unet', 'diffusion_models'],
  ['diffusion_model', 'diffusion_models'],
  ['hypernetwork', 'hypernetworks'],
  ['photomaker', 'photomaker'],
  ['ip-adapter', 'ipadapter'],
  ['sam', 'sams'],
]);

/**
 * A catalog from its JSON: ComfyUI-Manager's model-list.json or a plain list of `{ filename, directory, url,
 * sha256? }`. Entries that cannot be used (no URL, a `default` folder of an unknown type, a URL that is not http(s))
 * are skipped: one odd entry must not cost the whole catalog. Anything that is neither format is BAD_INPUT.
 */
export function parseCatalog(text: string, name: string, source: string): Catalog {
  if (text.length > MAX_CATALOG_CHARS) {
    throw new DepotError(
      'BAD_INPUT',
      `The catalog ${source} is ${text.length} characters long; that is not a catalog.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DepotError('BAD_INPUT', `The catalog ${source} is not valid JSON; check the file or URL.`, { cause });
  }
  const manager = zManagerModelList.safeParse(json);
  if (manager.success) return { name, source, entries: manager.data.models.flatMap(managerEntry) };
  if (Array.isArray(json)) return { name, source, entries: json.flatMap(plainEntry) };
  throw new DepotError(
    'BAD_INPUT',
    `The catalog ${source} is neither ComfyUI-Manager's model-list.json ({ "models": [...] }) nor a list of ` +
      '{ filename, directory, url, sha256 }.',
  );
}

function managerEntry(raw: unknown): CatalogEntry[] {
  const parsed = zManagerModel.safeParse(raw);
  if (!parsed.success) return [];
  const m = parsed.data;
  const savePath = m.save_path?.trim() ?? 'default';
  const folder =
    savePath === '' || savePath === 'default' ? MANAGER_TYPE_FOLDERS.get(m.type?.toLowerCase() ?? '') : savePath;
  if (folder === undefined) return [];
  return entryOf({ folder, filename: m.filename, url: m.url, sha256: m.sha256, name: m.name });
}

function plainEntry(raw: unknown): CatalogEntry[] {
  const parsed = zPlainCatalogEntry.safeParse(raw);
  if (!parsed.success) return [];
  const e = parsed.data;
  return entryOf({ folder: e.directory, filename: e.filename, url: e.url, sha256: e.sha256 });
}

function entryOf(e: { folder: string; filename: string; url: string; sha256?: string; name?: string }): CatalogEntry[] {
  const url = zModelUrl.safeParse(e.url);
  if (!url.success) return [];
  const sha256 = e.sha256 === undefined ? undefined : zSha256.safeParse(e.sha256);
  return [
    {
      folder: e.folder.trim().replaceAll('\\', '/'),
      filename: e.filename.trim().replaceAll('\\', '/'),
      url: url.data,
      ...(sha256?.success === true && { sha256: sha256.data }),
      ...(e.name !== undefined && { name: e.name }),
    },
  ];
}
