import path from 'node:path';

/** Where one file of a model comes from and where WanGP expects it. */
export interface WanGpFileTarget {
  /** The URL to download (the definition entry without its `|subfolder` suffix). */
  url: string;
  /** The file's name: the last part of the URL, as WanGP names it. */
  filename: string;
  /** The path WanGP looks for, relative to its ckpts folder, with `/` separators (`chatterbox/t3.safetensors`). */
  destination: string;
}

export interface WanGpFileTargetOptions {
  /** A definition entry: a URL, optionally followed by `|subfolder`. */
  entry: string;
  /** A subfolder of ckpts the file goes into before any `|subfolder` (a model's `text_encoder_folder`). */
  folder?: string;
}

/** Characters that are not allowed in names on Windows (WanGP runs there too), and control characters. */
const FORBIDDEN = /[\u0000-\u001f\u007f<>:"|?*\\]/;

/**
 * The URL, name and ckpts-relative destination of one definition entry, following WanGP's rules: the name is
 * everything after the last "/" of the URL, and `url|sub/folder` puts it under ckpts/sub/folder. An entry that is
 * not an http(s) URL, goes to WanGP's loras folder (`|%lora_dir`), or would land outside ckpts comes back as a
 * problem sentence instead.
 */
export function wanGpFileTarget({ entry, folder }: WanGpFileTargetOptions): WanGpFileTarget | { problem: string } {
  const [url = '', ...subfolders] = entry.split('|');
  if (!isHttpUrl(url)) return { problem: `"${entry}" is not an http(s) URL, so there is nothing to download.` };
  if (subfolders.length > 1) return { problem: `"${entry}" has more than one "|"; WanGP accepts one subfolder.` };
  const subfolder = subfolders[0];
  if (subfolder === '%lora_dir') {
    return { problem: `"${entry}" goes to WanGP's loras folder, which is outside ckpts and not managed here.` };
  }
  const filename = url.slice(url.lastIndexOf('/') + 1);
  if (filename === '' || filename === '.' || filename === '..')
    return { problem: `"${entry}" does not end in a file name.` };
  for (const [label, value] of [
    ['the folder', folder],
    ['the subfolder after "|"', subfolder],
  ] as const) {
    const problem = value === undefined ? undefined : folderProblem(value);
    if (problem !== undefined) return { problem: `"${entry}" cannot be saved: ${label} "${value}" ${problem}.` };
  }
  const parts = [folder, subfolder, filename].filter((part): part is string => part !== undefined && part !== '');
  const destination = path.posix.normalize(parts.join('/'));
  if (destination.split('/').some((segment) => FORBIDDEN.test(segment))) {
    return { problem: `"${entry}" would be saved as "${destination}", a name with characters files cannot have.` };
  }
  return { url, filename, destination };
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'https:' || protocol === 'http:';
}

/** Why a folder relative to ckpts would lead outside it, as WanGP's own path check refuses it. */
function folderProblem(folder: string): string | undefined {
  if (/^[\\/]/.test(folder) || /^[A-Za-z]:/.test(folder)) return 'is an absolute path; give a folder inside ckpts';
  if (folder.split(/[\\/]/).includes('..')) return 'contains ".."; give a folder inside ckpts';
  return undefined;
}
