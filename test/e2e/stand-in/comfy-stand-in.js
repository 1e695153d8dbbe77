// A stand-in for the ComfyUI frontend, as much of it as model-depot's extension touches:
// window.comfyAPI.app.app with registerExtension, loadGraphData
// running the hooks in ComfyUI's order, workflow tabs whose switches hand over a RE-SERIALIZED graph (top-level keys
// the frontend does not own are gone, `extra` survives), extensionManager.toast/setting/dialog/command, bottom panel
// tabs, refreshComboInNodes, and extension loading from GET /api/extensions like ComfyUI's extensionService.
// Its missing-model scan runs after the load hooks, as the frontend's: loader widgets whose file is not in ComfyUI's
// model list (GET /api/experiment/models/{folder}) become candidates and their nodes get `has_errors`; the missing
// models dialog opens unless Comfy.Workflow.ShowMissingModelsWarning is false or the load defers warnings; and
// app.refreshMissingModels({ silent }) scans again.

/** The loader widgets the scan reads: node type -> [widget name, model folder]. */
const LOADERS = {
  CheckpointLoaderSimple: ['ckpt_name', 'checkpoints'],
  UNETLoader: ['unet_name', 'diffusion_models'],
  VAELoader: ['vae_name', 'vae'],
  LoraLoader: ['lora_name', 'loras'],
  UpscaleModelLoader: ['model_name', 'upscale_models'],
};

/** Keys LiteGraph writes when it serializes a graph; anything else at the top level is lost on a re-serialization. */
const SERIALIZED_KEYS = [
  'id',
  'revision',
  'last_node_id',
  'last_link_id',
  'nodes',
  'links',
  'groups',
  'definitions',
  'config',
  'extra',
  'version',
];

const state = {
  ready: false,
  extensions: [],
  settingValues: {},
  settingDefs: new Map(),
  commands: new Map(),
  toasts: [],
  hookCalls: [],
  /** Types (only) of the messages the page sent over WebSockets: tests count checks without seeing any content. */
  sentTypes: [],
  refreshCount: 0,
  tabs: new Map(),
  activeTab: null,
  graph: null,
  /** The live nodes (LGraphNode's `id`, `type`, `widgets`, `has_errors`), rebuilt at each load. */
  liveNodes: [],
  /** The missing-model store's candidates ({ nodeId, widgetName, name, directory }), null when there are none. */
  missingModels: null,
  /** How many candidates each scan found, in order. */
  missingModelScans: [],
  /** How many times ComfyUI's own missing-models dialog opened. */
  missingModelsDialogs: 0,
};

function liveNodesOf(graph) {
  return (graph.nodes ?? []).map((node) => {
    const loader = LOADERS[node.type];
    const widgets = loader ? [{ name: loader[0], value: node.widgets_values?.[0] }] : [];
    return { id: node.id, type: node.type, widgets, has_errors: false };
  });
}

async function scanMissingModels() {
  const candidates = [];
  for (const node of state.liveNodes) {
    const loader = LOADERS[node.type];
    const value = node.widgets[0]?.value;
    if (!loader || typeof value !== 'string') continue;
    const list = await (await fetch(`/api/experiment/models/${loader[1]}`)).json();
    if (!list.some((model) => model.name === value)) {
      candidates.push({ nodeId: String(node.id), widgetName: loader[0], name: value, directory: loader[1] });
    }
  }
  const missing = new Set(candidates.map((c) => c.nodeId));
  for (const node of state.liveNodes) node.has_errors = missing.has(String(node.id));
  state.missingModels = candidates.length ? candidates : null;
  state.missingModelScans.push(candidates.length);
  return candidates;
}

function showMissingModelsDialog(candidates) {
  state.missingModelsDialogs++;
  const dialog = document.createElement('div');
  dialog.id = 'missing-models-dialog';
  dialog.textContent = `Missing models: ${candidates.map((c) => c.name).join(', ')}`;
  document.body.append(dialog);
}

// Record outgoing WebSocket message types. The message itself is not kept: a token message must not linger here.
const nativeSend = WebSocket.prototype.send;
WebSocket.prototype.send = function send(data) {
  try {
    const type = JSON.parse(String(data)).type;
    if (typeof type === 'string') state.sentTypes.push(type);
  } catch {
    state.sentTypes.push('(not json)');
  }
  return nativeSend.call(this, data);
};

function serializeGraph(graph) {
  const out = {};
  for (const key of SERIALIZED_KEYS) if (graph[key] !== undefined) out[key] = structuredClone(graph[key]);
  // The real frontend hands `models: null` to beforeConfigureGraph after a re-serialization.
  out.models = null;
  return out;
}

function renderGraph() {
  const title = document.getElementById('graph-title');
  const list = document.getElementById('nodes');
  list.replaceChildren();
  if (!state.graph) {
    title.textContent = 'No workflow';
    return;
  }
  title.textContent = state.activeTab ?? 'Unsaved workflow';
  for (const node of state.graph.nodes ?? []) {
    const item = document.createElement('li');
    const head = document.createElement('strong');
    head.textContent = node.type;
    item.append(head);
    for (const value of node.widgets_values ?? []) {
      const widget = document.createElement('span');
      widget.textContent = String(value);
      item.append(widget);
    }
    list.append(item);
  }
}

function renderTabs() {
  const nav = document.getElementById('tabs');
  nav.replaceChildren();
  for (const name of state.tabs.keys()) {
    const button = document.createElement('button');
    button.textContent = name;
    button.setAttribute('aria-selected', String(name === state.activeTab));
    button.addEventListener('click', () => void standIn.switchTab(name));
    nav.append(button);
  }
}

async function invokeAsync(hook, ...args) {
  for (const extension of state.extensions) {
    if (typeof extension[hook] !== 'function') continue;
    state.hookCalls.push(`${extension.name}.${hook}`);
    try {
      await extension[hook](...args, app);
    } catch (error) {
      console.error(`Error calling extension '${extension.name}' method '${hook}'`, error);
    }
  }
}

const app = {
  get extensions() {
    return state.extensions;
  },
  registerExtension(extension) {
    if (!extension?.name) throw new Error("Extensions must have a 'name' property.");
    if (state.extensions.some((e) => e.name === extension.name))
      throw new Error(`Extension named '${extension.name}' already registered.`);
    state.extensions.push(extension);
    for (const setting of extension.settings ?? []) {
      state.settingDefs.set(setting.id, setting);
      if (!(setting.id in state.settingValues)) state.settingValues[setting.id] = setting.defaultValue;
      setting.onChange?.(state.settingValues[setting.id], undefined);
    }
    for (const command of extension.commands ?? []) state.commands.set(command.id, command);
    for (const tab of extension.bottomPanelTabs ?? []) addBottomPanelTab(tab);
  },
  extensionManager: {
    toast: {
      add(message) {
        state.toasts.push({ severity: message.severity, summary: message.summary, detail: message.detail });
        const element = document.createElement('div');
        element.className = 'toast';
        element.dataset.severity = message.severity ?? 'info';
        const summary = document.createElement('strong');
        summary.textContent = message.summary ?? '';
        element.append(summary);
        if (message.detail) {
          const detail = document.createElement('div');
          detail.textContent = message.detail;
          element.append(detail);
        }
        document.getElementById('toasts').append(element);
        if (message.life) setTimeout(() => element.remove(), message.life);
      },
      remove() {},
      removeAll() {
        document.getElementById('toasts').replaceChildren();
      },
    },
    setting: {
      get: (id) => state.settingValues[id],
      set(id, value) {
        const old = state.settingValues[id];
        state.settingValues[id] = value;
        state.settingDefs.get(id)?.onChange?.(value, old);
      },
    },
    dialog: {
      prompt: async ({ defaultValue }) => defaultValue ?? null,
      confirm: async () => true,
    },
    command: {
      execute: async (id) => state.commands.get(id)?.function(),
    },
    registerSidebarTab() {},
    unregisterSidebarTab() {},
    getSidebarTabs: () => [],
  },
  graph: {
    serialize: () => (state.graph ? serializeGraph(state.graph) : null),
    get nodes() {
      return state.liveNodes;
    },
    setDirtyCanvas() {},
  },
  async refreshMissingModels({ silent = true } = {}) {
    const candidates = await scanMissingModels();
    if (!silent && candidates.length) showMissingModelsDialog(candidates);
    return { candidates };
  },
  /** ComfyUI's order: beforeLoadGraph, clone, beforeConfigureGraph, configure + loadedGraphNode, afterConfigureGraph. */
  async loadGraphData(graphData, _clean = true, _restoreView = true, _workflow = null, options = {}) {
    await invokeAsync('beforeLoadGraph');
    const graph = structuredClone(graphData);
    const missingNodeTypes = [];
    await invokeAsync('beforeConfigureGraph', graph, missingNodeTypes);
    state.graph = graph;
    state.liveNodes = liveNodesOf(graph);
    for (const node of graph.nodes ?? []) {
      for (const extension of state.extensions) extension.loadedGraphNode?.(node, app);
    }
    renderGraph();
    await invokeAsync('afterConfigureGraph', missingNodeTypes);
    await invokeAsync('afterLoadGraph');
    if (options.skipAssetScans) return;
    state.hookCalls.push('builtin.missingModelScan');
    const candidates = await scanMissingModels();
    const warn = state.settingValues['Comfy.Workflow.ShowMissingModelsWarning'] !== false;
    if (candidates.length && warn && !options.deferWarnings) showMissingModelsDialog(candidates);
  },
  async refreshComboInNodes() {
    state.refreshCount++;
  },
};

function addBottomPanelTab(tab) {
  const nav = document.getElementById('panel-tabs');
  const body = document.getElementById('panel-body');
  const button = document.createElement('button');
  button.textContent = tab.title ?? tab.id;
  button.dataset.tabId = tab.id;
  button.addEventListener('click', () => {
    for (const other of nav.children) other.setAttribute('aria-selected', 'false');
    button.setAttribute('aria-selected', 'true');
    body.replaceChildren();
    tab.render(body);
  });
  nav.append(button);
  if (nav.children.length === 1) button.click();
}

const standIn = {
  get state() {
    return state;
  },
  /** Opening a file: the workflow as the file has it, in a new tab (ComfyUI's handleFile -> loadGraphData). */
  async openWorkflow(name, json) {
    if (state.activeTab && state.graph) state.tabs.set(state.activeTab, serializeGraph(state.graph));
    state.tabs.set(name, null);
    state.activeTab = name;
    renderTabs();
    await app.loadGraphData(json, true, true, name, { openSource: 'file' });
  },
  /** A tab switch: the tab's graph as the frontend re-serialized it (workflowService.openWorkflow). */
  async switchTab(name) {
    if (state.activeTab && state.graph) state.tabs.set(state.activeTab, serializeGraph(state.graph));
    const saved = state.tabs.get(name);
    if (!saved) throw new Error(`no tab ${name}`);
    state.activeTab = name;
    renderTabs();
    await app.loadGraphData(saved, true, true, name, { deferWarnings: true, skipAssetScans: true });
  },
  /** A page (re)load restoring an open tab: ComfyUI hands over the graph it had re-serialized and stored. */
  async restoreWorkflow(name, serializedGraph) {
    state.tabs.set(name, null);
    state.activeTab = name;
    renderTabs();
    await app.loadGraphData(serializedGraph, true, true, name, { openSource: 'restore' });
  },
  /** Switches the page to ComfyUI's light palette. */
  useLightTheme() {
    const light = {
      '--comfy-menu-bg': '#e8e8e8',
      '--comfy-input-bg': '#ffffff',
      '--fg-color': '#222222',
      '--bg-color': '#f5f5f5',
      '--border-color': '#c2c2c2',
      '--descrip-text': '#555555',
      '--error-text': '#d32f2f',
      '--p-primary-color': '#2563eb',
    };
    for (const [name, value] of Object.entries(light)) document.documentElement.style.setProperty(name, value);
    document.documentElement.style.colorScheme = 'light';
  },
  runCommand: (id) => app.extensionManager.command.execute(id),
};

window.comfyAPI = {
  app: { app },
  api: { api: { apiURL: (route) => `/api${route}`, fetchApi: (route, init) => fetch(`/api${route}`, init) } },
};
window.__standIn = standIn;

// Settings come from the server before any extension loads, as in ComfyUI.
state.settingValues = await (await fetch('/api/settings')).json();
const extensionUrls = await (await fetch('/api/extensions')).json();
for (const url of extensionUrls) {
  try {
    await import(url);
  } catch (error) {
    console.error(`Error loading extension ${url}`, error);
  }
}
await invokeAsync('init');
await invokeAsync('setup');
window.app = app;
state.ready = true;
