import type { ComfyAppLike, ComfyExtensionDefinition, ToastOptions } from '../../extension/comfyui/comfy-app-types';

/**
 * A minimal ComfyUI app for jsdom tests: registerExtension stores the extension, loadGraphData runs its hooks
 * the way the frontend does (the graph data is a clone; the hook is not awaited for the load to go on).
 */
export function createFakeComfyApp(initialSettings: Record<string, unknown> = {}) {
  const toasts: ToastOptions[] = [];
  const settings = new Map<string, unknown>(Object.entries(initialSettings));
  const extensions: ComfyExtensionDefinition[] = [];
  let refreshes = 0;
  let current: unknown;

  const app: ComfyAppLike = {
    registerExtension(extension) {
      extensions.push(extension);
      for (const setting of extension.settings ?? []) {
        if (!settings.has(setting.id)) settings.set(setting.id, setting.defaultValue);
        setting.onChange?.(settings.get(setting.id), undefined);
      }
    },
    extensionManager: {
      toast: { add: (toast) => toasts.push(toast) },
      setting: { get: (id) => settings.get(id), set: (id, value) => settings.set(id, value) },
    },
    graph: { serialize: () => structuredClone(current) },
    refreshComboInNodes() {
      refreshes++;
    },
  };

  return {
    app,
    toasts,
    refreshes: () => refreshes,
    async setup() {
      for (const extension of extensions) await extension.setup?.(app);
    },
    loadGraphData(graphData: unknown) {
      const clone = structuredClone(graphData);
      for (const extension of extensions) void extension.beforeConfigureGraph?.(clone, [], app);
      current = clone;
    },
    /** Changes a setting the way the settings dialog does. */
    changeSetting(id: string, value: unknown) {
      const old = settings.get(id);
      settings.set(id, value);
      for (const extension of extensions) extension.settings?.find((s) => s.id === id)?.onChange?.(value, old);
    },
    async runCommand(id: string) {
      for (const extension of extensions) await extension.commands?.find((c) => c.id === id)?.function();
    },
    renderBottomPanel(container: HTMLElement) {
      for (const extension of extensions) for (const tab of extension.bottomPanelTabs ?? []) tab.render(container);
    },
    settingValues: () => Object.fromEntries(settings),
  };
}
