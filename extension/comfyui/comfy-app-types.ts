/**
 * The narrow slice of the ComfyUI frontend that model-depot uses, written against
 * `@comfyorg/comfyui-frontend-types@1.45.6` (index.d.ts) and the frontend's observed behaviour.
 * Our own types rather than the package's: its .d.ts has dangling imports (vue, pinia) and `ComfyWorkflowJSON`
 * resolves to `any`, and the stand-in page of the end-to-end test implements exactly this surface.
 * Everything optional is optional because older or newer frontends lack it.
 */

export type ToastSeverity = 'success' | 'info' | 'warn' | 'error';

export interface ToastOptions {
  severity: ToastSeverity;
  summary: string;
  detail?: string;
  /** Milliseconds before it closes by itself; none keeps it until closed. */
  life?: number;
}

export interface ComfySettingStore {
  get(id: string): unknown;
  set?(id: string, value: unknown): void;
}

export interface ComfyExtensionManager {
  toast?: { add(options: ToastOptions): void };
  setting?: ComfySettingStore;
  command?: { execute?(id: string): unknown };
  /** The errors of the last queue attempt, by node id (newest frontends; older ones have it on the app). */
  lastNodeErrors?: Record<string, unknown> | null;
  /** The workflow store: its open workflow's change tracker tells the frontend the graph changed (unsaved). */
  workflow?: { activeWorkflow?: { changeTracker?: ComfyChangeTracker | null } | null };
}

/** Compares the graph with the saved state, so a change outside the canvas marks the workflow modified. */
export interface ComfyChangeTracker {
  /** The current name (types 1.45); older frontends have only `checkState`. */
  captureCanvasState?(): void;
  checkState?(): void;
}

/** What `app.graph.serialize()` returns: the current workflow JSON. */
export interface ComfyGraphLike {
  serialize?(): unknown;
  /** The live nodes (LGraphNode: `id`, `widgets`, `has_errors`); `_nodes` in older LiteGraph builds. */
  nodes?: readonly object[];
  _nodes?: readonly object[];
  /** LGraph's `extra`: kept when the frontend serializes the graph (tab switches, saves), unlike top-level keys. */
  extra?: Record<string, unknown>;
  /** Asks LiteGraph to redraw (node marks changed). */
  setDirtyCanvas?(foreground: boolean, background: boolean): void;
}

export interface ComfySettingDefinition {
  id: string;
  name: string;
  type: 'boolean' | 'text' | 'number';
  defaultValue: unknown;
  category?: string[];
  tooltip?: string;
  attrs?: Record<string, unknown>;
  onChange?(newValue: unknown, oldValue?: unknown): void;
}

export interface ComfyCommandDefinition {
  id: string;
  label: string;
  icon?: string;
  function(): void | Promise<void>;
}

export interface ComfyMenuCommandGroup {
  path: string[];
  commands: string[];
}

export interface ComfyBottomPanelTab {
  id: string;
  title: string;
  type: 'custom';
  render(container: HTMLElement): void;
  destroy?(): void;
}

export interface ComfyExtensionDefinition {
  name: string;
  settings?: ComfySettingDefinition[];
  commands?: ComfyCommandDefinition[];
  menuCommands?: ComfyMenuCommandGroup[];
  bottomPanelTabs?: ComfyBottomPanelTab[];
  setup?(app: ComfyAppLike): void | Promise<void>;
  beforeConfigureGraph?(graphData: unknown, missingNodeTypes?: unknown, app?: ComfyAppLike): void | Promise<void>;
}

export interface ComfyAppLike {
  registerExtension(extension: ComfyExtensionDefinition): void;
  /** Exists by the time `init` runs. */
  extensionManager?: ComfyExtensionManager;
  graph?: ComfyGraphLike;
  /** Reloads the model combo lists of every node (frontend >= 1.x: re-reads /object_info). */
  refreshComboInNodes?(): Promise<void> | void;
  /** Re-runs the frontend's missing-model scan over the open graph (newest frontends); `silent` opens no dialog. */
  refreshMissingModels?(options?: { silent?: boolean; reloadDefs?: boolean }): Promise<unknown>;
  /** The errors of the last queue attempt, by node id (older frontends; a getter over the store in newer ones). */
  readonly lastNodeErrors?: Record<string, unknown> | null;
}
