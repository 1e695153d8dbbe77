import type { StatusTone } from './row-status';

/** Colours of the terminal UI. `p` cycles through them; NO_COLOR leaves only the plain one. */
export interface Palette {
  name: string;
  accent?: string;
  tones: Record<StatusTone, string | undefined>;
  dim: boolean;
}

const PLAIN: Palette = {
  name: 'plain',
  tones: { pending: undefined, done: undefined, active: undefined, failed: undefined },
  dim: false,
};

/** Never empty, so the palette under any index modulo its length exists. */
type Palettes = readonly [Palette, ...Palette[]];

const PALETTES: Palettes = [
  {
    name: 'default',
    accent: 'cyan',
    tones: { pending: 'yellow', done: 'green', active: 'cyan', failed: 'red' },
    dim: true,
  },
  {
    name: 'high contrast',
    accent: 'whiteBright',
    tones: { pending: 'yellowBright', done: 'greenBright', active: 'blueBright', failed: 'redBright' },
    dim: false,
  },
  PLAIN,
];

/** https://no-color.org: any non-empty NO_COLOR turns colour off. */
export function palettesFor(env: { NO_COLOR?: string }): Palettes {
  return env.NO_COLOR ? [PLAIN] : PALETTES;
}
