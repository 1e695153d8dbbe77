import { z } from 'zod';
import type { ComfySettingDefinition, ComfySettingStore } from './comfyui/comfy-app-types';

/**
 * The extension's ComfyUI settings. ComfyUI stores settings on its server (`/api/settings`), so nothing secret
 * ever goes here: tokens are asked for per download and never stored.
 */
export const SETTING_IDS = {
  sidecarUrl: 'ModelDepot.SidecarUrl',
  checkOnLoad: 'ModelDepot.CheckOnLoad',
  bandwidthLimit: 'ModelDepot.BandwidthLimitKbps',
} as const;

/** Empty: through ComfyUI's own server (`/model-depot/ws` on the page's origin), see sidecar-socket-url.ts. */
export const DEFAULT_SIDECAR_URL = '';

const CATEGORY = 'Model Depot';

export const zExtensionSettings = z.object({
  sidecarUrl: z.string().trim().catch(DEFAULT_SIDECAR_URL),
  checkOnLoad: z.boolean().catch(true),
  /** KB/s; 0 means no limit. */
  bandwidthLimitKbps: z.number().nonnegative().catch(0),
});
export type ExtensionSettings = z.infer<typeof zExtensionSettings>;

export interface SettingsOptions {
  onSidecarUrlChange(url: string): void;
  /** kbps, or null for no limit. */
  onBandwidthLimitChange(kbps: number | null): void;
}

/** The `settings` entries of the extension; ComfyUI calls onChange at load (no old value) and on every change. */
export function createSettings(options: SettingsOptions): ComfySettingDefinition[] {
  return [
    {
      id: SETTING_IDS.sidecarUrl,
      name: 'Sidecar WebSocket URL (empty: through ComfyUI)',
      type: 'text',
      defaultValue: DEFAULT_SIDECAR_URL,
      category: [CATEGORY, 'Sidecar', 'URL'],
      tooltip:
        'Leave empty to reach the model-depot sidecar through ComfyUI itself (/model-depot/ws), whatever its address. ' +
        "A direct URL such as ws://127.0.0.1:8190/ws needs this page's origin in the sidecar's allowed_origins.",
      onChange(value) {
        const parsed = zExtensionSettings.shape.sidecarUrl.parse(value);
        options.onSidecarUrlChange(parsed);
      },
    },
    {
      id: SETTING_IDS.checkOnLoad,
      name: 'Check the models of a workflow when it opens',
      type: 'boolean',
      defaultValue: true,
      category: [CATEGORY, 'Workflow', 'Check on load'],
    },
    {
      id: SETTING_IDS.bandwidthLimit,
      name: 'Download bandwidth limit (KB/s, 0 = no limit)',
      type: 'number',
      defaultValue: 0,
      attrs: { min: 0, step: 100 },
      category: [CATEGORY, 'Downloads', 'Bandwidth limit'],
      onChange(value, oldValue) {
        // The first call comes at load: the sidecar's own limit (config, --limit) stands until the user changes it.
        if (oldValue === undefined) return;
        const kbps = zExtensionSettings.shape.bandwidthLimitKbps.parse(value);
        options.onBandwidthLimitChange(kbps > 0 ? kbps : null);
      },
    },
  ];
}

/** The current values, defaults for anything missing or malformed. */
export function readSettings(store: ComfySettingStore | undefined): ExtensionSettings {
  return zExtensionSettings.parse({
    sidecarUrl: store?.get(SETTING_IDS.sidecarUrl),
    checkOnLoad: store?.get(SETTING_IDS.checkOnLoad),
    bandwidthLimitKbps: store?.get(SETTING_IDS.bandwidthLimit),
  });
}
