import { describe, expect, it } from 'vitest';
import { canonicalFolder, hasModelExtension } from '../../shared/model-folders';

describe('canonicalFolder', () => {
  it('maps ComfyUI folders and legacy names to the canonical folder', () => {
    expect(canonicalFolder('checkpoints')).toBe('checkpoints');
    expect(canonicalFolder('UNET')).toBe('diffusion_models');
    expect(canonicalFolder('clip')).toBe('text_encoders');
  });

  it('knows nothing of object prototype keys', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(canonicalFolder(name)).toBeUndefined();
  });
});

describe('hasModelExtension', () => {
  it('accepts model extensions only', () => {
    expect(hasModelExtension('a.SafeTensors')).toBe(true);
    expect(hasModelExtension('a.safetensors.exe')).toBe(false);
  });
});
