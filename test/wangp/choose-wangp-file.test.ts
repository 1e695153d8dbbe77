import { describe, expect, it } from 'vitest';
import { chooseWanGpFile } from '../../sidecar/wangp/choose-wangp-file';
import { hfUrl } from './wangp-install-fixture';

const full = hfUrl('dragon_14B_mbf16.safetensors');
const int8Bf16 = hfUrl('dragon_14B_quanto_mbf16_int8.safetensors');
const int8Fp16 = hfUrl('dragon_14B_quanto_mfp16_int8.safetensors');
const fp8 = hfUrl('dragon_14B_bf16_fp8_e4m3fn.safetensors');

describe('chooseWanGpFile', () => {
  it('picks the int8 file made from the dtype for int8', () => {
    expect(chooseWanGpFile({ choices: [full, int8Fp16, int8Bf16], quantization: 'int8', dtype: 'bf16' })).toBe(
      int8Bf16,
    );
    expect(chooseWanGpFile({ choices: [full, int8Bf16, int8Fp16], quantization: 'int8', dtype: 'fp16' })).toBe(
      int8Fp16,
    );
    expect(chooseWanGpFile({ choices: [full, fp8, int8Bf16], quantization: 'int8', dtype: 'bf16' })).toBe(int8Bf16);
  });

  it('picks the fp8 file for fp8 and the first entry for bf16', () => {
    const choices = [full, int8Bf16, fp8];
    expect(chooseWanGpFile({ choices, quantization: 'fp8', dtype: 'bf16' })).toBe(fp8);
    expect(chooseWanGpFile({ choices, quantization: 'bf16', dtype: 'bf16' })).toBe(full);
    expect(chooseWanGpFile({ choices: [int8Bf16, full], quantization: 'bf16', dtype: 'bf16' })).toBe(int8Bf16);
  });

  it('falls back to the other 8-bit kind before the unquantized file', () => {
    expect(chooseWanGpFile({ choices: [full, fp8], quantization: 'int8', dtype: 'bf16' })).toBe(fp8);
    expect(chooseWanGpFile({ choices: [full, int8Bf16], quantization: 'fp8', dtype: 'bf16' })).toBe(int8Bf16);
  });

  it('prefers a file made from the dtype over the token order, as WanGP does', () => {
    const fp8WithoutDtype = hfUrl('dragon_14B_fp8_e4m3fn.safetensors');
    expect(chooseWanGpFile({ choices: [full, int8Bf16, fp8WithoutDtype], quantization: 'fp8', dtype: 'bf16' })).toBe(
      int8Bf16,
    );
  });

  it('takes the first quantized file when none carries the dtype', () => {
    const a = hfUrl('a_int8.safetensors');
    const b = hfUrl('b_int8.safetensors');
    expect(chooseWanGpFile({ choices: [full, a, b], quantization: 'int8', dtype: 'fp16' })).toBe(a);
  });

  it('takes the first entry when no name carries a quantization token', () => {
    const other = hfUrl('dragon_14B_mfp16.safetensors');
    expect(chooseWanGpFile({ choices: [full, other], quantization: 'int8', dtype: 'fp16' })).toBe(full);
  });

  it('takes a lone entry whatever its name, and nothing from an empty list', () => {
    expect(chooseWanGpFile({ choices: [full], quantization: 'int8', dtype: 'bf16' })).toBe(full);
    expect(chooseWanGpFile({ choices: [], quantization: 'int8', dtype: 'bf16' })).toBeUndefined();
  });

  it('matches the token in any case but the dtype only in lower or upper case', () => {
    const upper = hfUrl('Dragon_INT8_BF16.safetensors');
    const mixed = hfUrl('dragon_Int8_Bf16.safetensors');
    expect(chooseWanGpFile({ choices: [full, mixed, upper], quantization: 'int8', dtype: 'bf16' })).toBe(upper);
    expect(chooseWanGpFile({ choices: [full, mixed], quantization: 'int8', dtype: 'bf16' })).toBe(mixed);
  });

  it('reads only the name after the last "/", a "|subfolder" suffix included', () => {
    const inFolderName = 'https://huggingface.co/acme/int8-models/resolve/main/dragon.safetensors';
    expect(chooseWanGpFile({ choices: [full, inFolderName], quantization: 'int8', dtype: 'bf16' })).toBe(full);
    const suffixed = `${hfUrl('dragon.safetensors')}|int8`;
    expect(chooseWanGpFile({ choices: [full, suffixed], quantization: 'int8', dtype: 'bf16' })).toBe(suffixed);
  });
});
