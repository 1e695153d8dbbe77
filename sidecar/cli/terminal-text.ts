/**
 * C0 and C1 controls (U+009B is a one-byte CSI to many terminals), DEL, and bidirectional overrides and isolates
 * (and the marks that steer them): from a workflow, a registry row or a host's answer, any of them could move the
 * cursor, repaint earlier lines or make a name read as another.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from outside (names, paths, URLs, messages) made safe to print: each control character is shown as its
 * escape (`\n`, `\u001b`, `\u202e`), everything else unchanged.
 */
export function terminalText(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const named = JSON.stringify(c).slice(1, -1);
    return named.length === 2 ? named : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
