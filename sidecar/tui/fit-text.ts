/** Cuts or pads text to exactly `width` columns, keeping the end of long file names visible ("…_v1.safetensors"). */
export function fitText(text: string, width: number, keep: 'start' | 'end' = 'start'): string {
  if (width <= 0) return '';
  // Newlines and other control characters in hostile file names would break the table.
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  const chars = [...clean];
  if (chars.length <= width) return clean + ' '.repeat(width - chars.length);
  if (width === 1) return '…';
  return keep === 'end' ? '…' + chars.slice(chars.length - width + 1).join('') : chars.slice(0, width - 1).join('') + '…';
}
