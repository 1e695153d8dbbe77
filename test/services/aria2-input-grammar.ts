/**
 * aria2c's input-file grammar (aria2c(1), "Input File"): each entry is a line of URIs separated by TABs, followed by
 * option lines that start with white space and read `name=value`; lines starting with `#` are comments. Options are
 * the long names of the command line options without `--`. This checker refuses anything aria2c would misread.
 */
export interface Aria2Entry {
  uris: string[];
  options: Record<string, string>;
}

/** The options an entry may carry here, with the shape aria2c accepts for each value. */
const OPTION_VALUES: Readonly<Record<string, RegExp>> = {
  dir: /^\/.+$|^[A-Za-z]:\\.+$/,
  // Relative to dir, without a way out of it.
  out: /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\t\n]+$/,
  checksum: /^sha-256=[0-9a-f]{64}$/,
};

export function parseAria2Input(text: string): Aria2Entry[] {
  if (!text.endsWith('\n')) throw new Error('the file does not end with a newline');
  const entries: Aria2Entry[] = [];
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, index) => {
      const where = `line ${index + 1}`;
      if (line === '' || line.startsWith('#')) return;
      if (/^[ \t]/.test(line)) {
        const current = entries[entries.length - 1];
        if (!current) throw new Error(`${where}: an option before any URI line`);
        const match = /^[ \t]+([a-z0-9-]+)=(.*)$/.exec(line);
        if (!match) throw new Error(`${where}: not name=value: ${JSON.stringify(line)}`);
        const [, name = '', value = ''] = match;
        const shape = OPTION_VALUES[name];
        if (!shape) throw new Error(`${where}: unexpected option ${name}`);
        if (!shape.test(value)) throw new Error(`${where}: bad ${name} value ${JSON.stringify(value)}`);
        if (name in current.options) throw new Error(`${where}: ${name} given twice`);
        current.options[name] = value;
        return;
      }
      const uris = line.split('\t');
      for (const uri of uris) {
        const url = new URL(uri);
        if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || /\s/.test(uri)) {
          throw new Error(`${where}: not a plain http(s) URI: ${JSON.stringify(uri)}`);
        }
      }
      entries.push({ uris, options: {} });
    });
  return entries;
}
