import type { WanGpDtype, WanGpQuantization } from './wangp-definition-schema';

export interface ChooseWanGpFileOptions {
  /** The alternatives of one file as a definition lists them (URLs, possibly with a `|subfolder` suffix). */
  choices: readonly string[];
  /** The quantization wanted; bf16 means the unquantized file. */
  quantization: WanGpQuantization;
  /** The type the model runs in; among quantized files, one made from this type is preferred. */
  dtype: WanGpDtype;
}

/** Which quantization tokens are looked for, in order: the other 8-bit kind is better than no quantization. */
const TOKEN_ORDER: Record<WanGpQuantization, readonly string[]> = {
  bf16: [],
  int8: ['int8', 'fp8'],
  fp8: ['fp8', 'int8'],
};

/**
 * The entry WanGP loads for a quantization, exactly as WanGP picks it: a lone entry is taken as it is; otherwise
 * the entries whose name carries the wanted token (then the other 8-bit token), among them the first whose name
 * carries the dtype, else the first of them; with no such entry (and always for bf16), the first entry.
 * Undefined for an empty list.
 */
export function chooseWanGpFile({ choices, quantization, dtype }: ChooseWanGpFileOptions): string | undefined {
  if (choices.length <= 1) return choices[0];
  // WanGP matches tokens against the lower-cased name but the dtype against the name as written, in lower or
  // upper case only; the name is everything after the last "/", a "|subfolder" suffix included.
  const quantized = TOKEN_ORDER[quantization].flatMap((token) =>
    choices.filter((choice) => nameOf(choice).toLowerCase().includes(token)),
  );
  if (quantized.length === 0) return choices[0];
  const ofDtype = quantized.find((choice) => {
    const name = nameOf(choice);
    return name.includes(dtype) || name.includes(dtype.toUpperCase());
  });
  return ofDtype ?? quantized[0];
}

function nameOf(entry: string): string {
  return entry.slice(entry.lastIndexOf('/') + 1);
}
