/**
 * A header value as the real hosts send it: UTF-8 bytes on the wire. Node writes header strings as latin1 and refuses
 * other characters, so a file name like `モデル.safetensors` is passed as its UTF-8 bytes spelled in latin1.
 */
export function headerText(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}
