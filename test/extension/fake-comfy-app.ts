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
  /** The graph as loaded or last saved: the change tracker compares against it. */
  let savedState = 'null';
  let modified = false;
  /** The loaded graph's own object, read and changed in place as LiteGraph's live graph would be. */
  const live = (key: string): unknown =>
    typeof current === 'object' && current !== null ? Reflect.get(current, key) : undefined;

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
      workflow: {
        activeWorkflow: {
          changeTracker: {
            captureCanvasState() {
              modified = JSON.stringify(current) !== savedState;
            },
          },
        },
      },
    },
    graph: {
      serialize: () => structuredClone(current),
      // The live graph is the loaded clone itself: its nodes and `extra` are what serialize() reads.
      get nodes() {
        const nodes = live('nodes');
        return Array.isArray(nodes) ? nodes.filter((node) => typeof node === 'object' && node !== null) : [];
      },
      get extra() {
        const extra = live('extra');
        return isRecord(extra) ? extra : undefined;
      },
      set extra(value) {
        if (typeof current === 'object' && current !== null) Reflect.set(current, 'extra', value);
      },
    },
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
      savedState = JSON.stringify(current);
      modified = false;
    },
    /** Whether the frontend would show the open workflow as modified (unsaved changes). */
    isModified: () => modified,
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
