import { describe, expect, it, vi } from 'vitest';
import { createSettings, DEFAULT_SIDECAR_URL, readSettings, SETTING_IDS } from '../../extension/settings';
import { sidecarSocketUrl } from '../../extension/connection/sidecar-socket-url';

describe('the sidecar URL setting', () => {
  it("defaults to empty, which is /model-depot/ws on the page's own origin (through ComfyUI)", () => {
    expect(DEFAULT_SIDECAR_URL).toBe('');
    expect(readSettings(undefined).sidecarUrl).toBe('');
    const url = createSettings({ onSidecarUrlChange: vi.fn(), onBandwidthLimitChange: vi.fn() }).find(
      (setting) => setting.id === SETTING_IDS.sidecarUrl,
    );
    expect(url?.defaultValue).toBe('');
    expect(sidecarSocketUrl(readSettings(undefined).sidecarUrl, 'http://127.0.0.1:8188/')).toBe(
      'ws://127.0.0.1:8188/model-depot/ws',
    );
  });

  it('follows ComfyUI Desktop on port 8000, a LAN address and HTTPS (wss:)', () => {
    expect(sidecarSocketUrl('', 'http://127.0.0.1:8000/')).toBe('ws://127.0.0.1:8000/model-depot/ws');
    expect(sidecarSocketUrl('', 'https://192.168.1.30:8443/?workflow=a#x')).toBe(
      'wss://192.168.1.30:8443/model-depot/ws',
    );
    expect(sidecarSocketUrl('  ', 'https://comfy.lan/')).toBe('wss://comfy.lan/model-depot/ws');
    expect(sidecarSocketUrl('', 'http://[::1]:8188/')).toBe('ws://[::1]:8188/model-depot/ws');
  });

  it('keeps a direct URL as the user typed it, for setups without the custom node', () => {
    expect(sidecarSocketUrl('ws://127.0.0.1:8190/ws', 'https://comfy.lan/')).toBe('ws://127.0.0.1:8190/ws');
    expect(
      readSettings({ get: (id) => (id === SETTING_IDS.sidecarUrl ? ' ws://depot.lan:8190/ws ' : undefined) })
        .sidecarUrl,
    ).toBe('ws://depot.lan:8190/ws');
  });

  it('has nothing to connect to when the URL is empty and there is no web page', () => {
    expect(sidecarSocketUrl('', undefined)).toBeUndefined();
    expect(sidecarSocketUrl('', 'file:///tmp/page.html')).toBeUndefined();
  });
});
