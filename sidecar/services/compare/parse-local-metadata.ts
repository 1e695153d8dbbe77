import { zLocalMetadata, type LocalFile } from './compare-schema';
import { hasModelExtension } from '../../../shared/model-folders';
import { baseNameOf } from './compare-collections';

export type ParsedMetadata =
  | { kind: 'local'; local: LocalFile }
  /** Valid JSON without a SHA-256 or a file name: another tool's file (Civitai info, configs), not an error. */
  | { kind: 'ignored' }
  | { kind: 'invalid'; reason: string };

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * One metadata JSON file's text, as ComfyUI-Lora-Manager writes it (`{ file_name, file_path, sha256, size, ... }`).
 * The model's name comes from `file_path` (with its extension), else `file_name` (Lora-Manager's stem), else, when
 * there is a SHA-256, from the JSON file's own name (`x.metadata.json` describes `x.*`).
 */
export function parseLocalMetadata(text: string, jsonPath: string): ParsedMetadata {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', reason: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  // Arrays and scalars are other tools' JSON, not broken metadata.
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { kind: 'ignored' };
  const parsed = zLocalMetadata.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'invalid', reason: `${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}` };
  }
  const { sha256: rawSha, file_name: fileName, file_path: filePath, size } = parsed.data;
  const sha = rawSha?.trim().toLowerCase();
  const sha256 = sha !== undefined && SHA256.test(sha) ? sha : null;
  const pathName = filePath?.trim() ? baseNameOf(filePath.trim()) : '';
  let name = pathName;
  let hasExtension = pathName !== '';
  if (!name && fileName?.trim()) {
    name = fileName.trim();
    hasExtension = hasModelExtension(name);
  }
  if (!name && sha256 !== null) {
    name = baseNameOf(jsonPath).replace(/(\.metadata)?\.json$/i, '');
    hasExtension = false;
  }
  if (!name) return { kind: 'ignored' };
  return {
    kind: 'local',
    local: { name, hasExtension, path: filePath?.trim() || null, sha256, size: size ?? null, source: jsonPath },
  };
}
