import picomatch from 'picomatch';
import { DepotError } from '../../../shared/errors';
import { baseNameOf } from './compare-collections';

export interface CompareFilterOptions {
  /**
   * `--filter`: `*` any characters, `?` exactly one (picomatch also honours `[abc]` and `{a,b}`).
   * Without a `/` it matches the file's base name wherever the file sits (`*wan22*`, `wan22*`, `*-v2.safetensors`);
   * with a `/` it matches the whole path relative to the compared folder (`loras/*wan*`). Case-insensitive.
   * Default: every file.
   */
  pattern?: string;
  /** `--safetensors-only`: keep `.safetensors` files only. Default false. */
  safetensorsOnly?: boolean;
}

export interface CompareFilter {
  /** For a repository file: its path relative to the compared folder. */
  remote(relativePath: string): boolean;
  /**
   * For the list of local models the repository lacks (matching itself always sees every local model, so a renamed
   * copy still matches): its name. A pattern with a `/` is applied by its last segment, since local files are not
   * laid out like the repository. A name without an extension passes `--safetensors-only` (it cannot be told apart).
   */
  local(name: string, hasExtension: boolean): boolean;
}

export function createCompareFilter({ pattern, safetensorsOnly = false }: CompareFilterOptions): CompareFilter {
  if (pattern !== undefined && pattern.trim() === '') {
    throw new DepotError('BAD_INPUT', '--filter is empty: give a pattern such as "*wan22*", or leave the option out.');
  }
  const options = { nocase: true, dot: true };
  let remoteMatch = (_relativePath: string) => true;
  let localMatch = (_name: string) => true;
  if (pattern !== undefined) {
    const whole = picomatch(pattern, options);
    const last = picomatch(baseNameOf(pattern), options);
    remoteMatch = pattern.includes('/') ? whole : (relativePath) => last(baseNameOf(relativePath));
    localMatch = last;
  }
  const isSafetensors = (name: string) => name.toLowerCase().endsWith('.safetensors');
  return {
    remote: (relativePath) => (!safetensorsOnly || isSafetensors(relativePath)) && remoteMatch(relativePath),
    local: (name, hasExtension) => (!safetensorsOnly || !hasExtension || isSafetensors(name)) && localMatch(name),
  };
}
