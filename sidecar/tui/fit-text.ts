/**
 * Cuts or pads text to exactly `width` columns. `keep` says which part survives a cut: the start, the end
 * ("…/checkpoints/"), or both ends of a file name ("sd_xl_ba….safetensors"), where the extension tells models apart.
 */
export function fitText(text: string, width: number, keep: 'start' | 'end' | 'middle' = 'start'): string {
  if (width <= 0) return '';
  // Newlines and other control characters in hostile file names would break the table.
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  const chars = [...clean];
  if (chars.length <= width) return `${clean}${' '.repeat(width - chars.length)}`;
  if (width === 1) return '…';
  if (keep === 'end') return `…${chars.slice(chars.length - width + 1).join('')}`;
  if (keep === 'middle') {
    const tail = Math.floor((width - 1) / 2);
    return `${chars.slice(0, width - 1 - tail).join('')}…${chars.slice(chars.length - tail).join('')}`;
  }
  return `${chars.slice(0, width - 1).join('')}…`;
}
