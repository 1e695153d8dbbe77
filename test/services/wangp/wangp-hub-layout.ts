import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FakeHub } from '../../fake-hub/create-fake-hub';
import { definition, hfUrl, writeWanGpInstall } from '../../wangp/wangp-install-fixture';

/** The repository every definition below downloads from (hfUrl's), served by the fake hub. */
const REPO = 'acme/Video';

/** Every file the definitions name, with its bytes: small, distinct, so each download is checked byte for byte. */
export const WANGP_FILES = {
  dragonBf16: 'dragon_14B_mbf16.safetensors',
  dragonInt8: 'dragon_14B_quanto_mbf16_int8.safetensors',
  dragonFp8: 'dragon_14B_mbf16_fp8_e4m3fn.safetensors',
  twinHigh: 'twin_high_quanto_mbf16_int8.safetensors',
  twinHighBf16: 'twin_high_mbf16.safetensors',
  twinLow: 'twin_low_quanto_mbf16_int8.safetensors',
  twinLowBf16: 'twin_low_mbf16.safetensors',
  heron: 'heron_1B_bf16.safetensors',
  lynx: 'lynx_5B_quanto_mbf16_int8.safetensors',
  lynxEncoder: 'lynx_encoder_quanto_int8.safetensors',
  ghost: 'ghost_1B_bf16.safetensors',
} as const;

export type WanGpFileKey = keyof typeof WANGP_FILES;

export interface WanGpHubLayout {
  /** WanGP's folder: defaults/, finetunes/, ckpts/. */
  root: string;
  ckpts: string;
  /** A hub folder holding heron's file under another name (linked, never downloaded). */
  hubDir: string;
  /** The bytes of each file, by key. */
  bytes: Record<WanGpFileKey, Buffer>;
  sha256: (bytes: Buffer) => string;
}

/**
 * A WanGP install written in WanGP's format, whose definitions download from the fake hub: Dragon in three
 * quantizations, Twin with high and low noise transformers (URLs2), Heron whose file a hub folder already has,
 * Lynx (a finetune only) with a text encoder in its own ckpts subfolder, and Ghost, a default a finetune hides.
 */
export async function writeWanGpHubLayout(dir: string, hub: FakeHub): Promise<WanGpHubLayout> {
  const bytes = Object.fromEntries(
    Object.keys(WANGP_FILES).map((key, index) => [key, randomBytes(150_000 + index * 10_000)]),
  ) as Record<WanGpFileKey, Buffer>;
  hub.addRepo({
    id: REPO,
    files: (Object.keys(WANGP_FILES) as WanGpFileKey[]).map((key) => ({
      path: WANGP_FILES[key],
      content: bytes[key],
      lfs: true,
    })),
  });
  const url = (key: WanGpFileKey) => hfUrl(WANGP_FILES[key]);
  const root = await writeWanGpInstall(path.join(dir, 'Wan2GP'), {
    defaults: {
      dragon: definition(
        {
          name: 'Dragon 14B',
          architecture: 'dragon',
          description: 'Turns a prompt into a video of dragons.',
          URLs: [url('dragonBf16'), url('dragonInt8'), url('dragonFp8')],
        },
        { prompt: 'a dragon over a lake', video_length: 81 },
      ),
      twin: definition({
        name: 'Twin 14B',
        architecture: 'twin',
        description: 'Two experts, high and low noise.',
        URLs: [url('twinHighBf16'), url('twinHigh')],
        URLs2: [url('twinLowBf16'), url('twinLow')],
      }),
      heron: definition({ name: 'Heron 1B', architecture: 'heron', URLs: [url('heron')] }),
      ghost: definition({ name: 'Ghost 1B', architecture: 'ghost', URLs: [url('ghost')] }),
    },
    finetunes: {
      ghost: definition({ visible: false }),
      lynx: definition({
        name: 'Lynx 5B',
        architecture: 'dragon',
        description: 'A finetune of Dragon.',
        URLs: [url('lynx')],
        text_encoder_URLs: [url('lynxEncoder')],
        text_encoder_folder: 'lynx_encoder',
      }),
    },
  });
  const hubDir = path.join(dir, 'hub');
  await mkdir(path.join(hubDir, 'video'), { recursive: true });
  await writeFile(path.join(hubDir, 'video', 'heron copy.safetensors'), bytes.heron);
  const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');
  return { root, ckpts: path.join(root, 'ckpts'), hubDir, bytes, sha256 };
}
