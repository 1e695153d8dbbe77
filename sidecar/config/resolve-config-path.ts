import path from 'node:path';

export interface ResolveConfigPathOptions {
  /** Relative paths are resolved against this folder. */
  cwd: string;
  /** What a leading `~` stands for. */
  home: string;
}

/** A path as a person writes it in a config file or flag (`~/models`, `./models`, `/mnt/hub`) made absolute. */
export function resolveConfigPath(value: string, options: ResolveConfigPathOptions): string {
  if (value === '~') return options.home;
  if (value.startsWith('~/')) return path.join(options.home, value.slice(2));
  return path.resolve(options.cwd, value);
}
