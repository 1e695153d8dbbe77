/**
 * Which widgets of which loader nodes name a model file, and in which ComfyUI folder it lives: one table that both
 * the UI-format reader and the API-prompt reader use, so that the two formats of one workflow always agree.
 * `index` is the position in the UI format's `widgets_values` list; `name` the key in the API format's `inputs`
 * (and in nodes that serialize `widgets_values` as an object).
 *
 * Core loaders from ComfyUI's nodes.py and comfy_extras, and the loaders of the custom packs that published
 * workflows use most (WanVideoWrapper, KJNodes, the two GGUF packs, Impact Pack and its Subpack, SeedVR2), each
 * as its INPUT_TYPES declares it. A node type missing here gives no requirement from its widgets (see
 * `WIDGET_NAME_FOLDERS` for the one fallback): without the node we cannot know the folder. Its values that look
 * like model files are still reported, as possibly needed.
 */
export interface LoaderWidget {
  index: number;
  name: string;
  folder: string;
}

/** `[node type, [widget index, input name, folder]...]`: one row per loader. */
type LoaderRow = readonly [string, readonly (readonly [number, string, string])[]];

const numbered = (prefix: string, count: number, folder: string): [number, string, string][] =>
  Array.from({ length: count }, (_, i) => [i, `${prefix}${i + 1}`, folder]);

const CORE: readonly LoaderRow[] = [
  ['CheckpointLoaderSimple', [[0, 'ckpt_name', 'checkpoints']]],
  // widget 0 is config_name, a .yaml in configs: not a model file
  ['CheckpointLoader', [[1, 'ckpt_name', 'checkpoints']]],
  ['ImageOnlyCheckpointLoader', [[0, 'ckpt_name', 'checkpoints']]],
  ['unCLIPCheckpointLoader', [[0, 'ckpt_name', 'checkpoints']]],
  ['LoraLoader', [[0, 'lora_name', 'loras']]],
  ['LoraLoaderModelOnly', [[0, 'lora_name', 'loras']]],
  ['VAELoader', [[0, 'vae_name', 'vae']]],
  ['UNETLoader', [[0, 'unet_name', 'diffusion_models']]],
  ['CLIPLoader', [[0, 'clip_name', 'text_encoders']]],
  ['DualCLIPLoader', numbered('clip_name', 2, 'text_encoders')],
  ['TripleCLIPLoader', numbered('clip_name', 3, 'text_encoders')],
  ['QuadrupleCLIPLoader', numbered('clip_name', 4, 'text_encoders')],
  ['CLIPVisionLoader', [[0, 'clip_name', 'clip_vision']]],
  ['ControlNetLoader', [[0, 'control_net_name', 'controlnet']]],
  ['DiffControlNetLoader', [[0, 'control_net_name', 'controlnet']]],
  ['UpscaleModelLoader', [[0, 'model_name', 'upscale_models']]],
  ['LatentUpscaleModelLoader', [[0, 'model_name', 'latent_upscale_models']]],
  ['StyleModelLoader', [[0, 'style_model_name', 'style_models']]],
  ['GLIGENLoader', [[0, 'gligen_name', 'gligen']]],
  ['HypernetworkLoader', [[0, 'hypernetwork_name', 'hypernetworks']]],
  ['PhotoMakerLoader', [[0, 'photomaker_model_name', 'photomaker']]],
  ['ModelPatchLoader', [[0, 'name', 'model_patches']]],
  ['AudioEncoderLoader', [[0, 'audio_encoder_name', 'audio_encoders']]],
];

const CUSTOM: readonly LoaderRow[] = [
  // pysssss custom scripts
  ['CheckpointLoader|pysssss', [[0, 'ckpt_name', 'checkpoints']]],
  ['LoraLoader|pysssss', [[0, 'lora_name', 'loras']]],
  // IPAdapter plus
  ['IPAdapterModelLoader', [[0, 'ipadapter_file', 'ipadapter']]],
  // WanVideoWrapper
  ['WanVideoModelLoader', [[0, 'model', 'diffusion_models']]],
  ['WanVideoVAELoader', [[0, 'model_name', 'vae']]],
  ['WanVideoTinyVAELoader', [[0, 'model_name', 'vae_approx']]],
  ['LoadWanVideoT5TextEncoder', [[0, 'model_name', 'text_encoders']]],
  ['LoadWanVideoClipTextEncoder', [[0, 'model_name', 'text_encoders']]],
  ['WanVideoLoraSelect', [[0, 'lora', 'loras']]],
  ['WanVideoVACEModelSelect', [[0, 'vace_model', 'diffusion_models']]],
  // KJNodes
  ['VAELoaderKJ', [[0, 'vae_name', 'vae']]],
  ['DiffusionModelLoaderKJ', [[0, 'model_name', 'diffusion_models']]],
  ['DiffusionModelSelector', [[0, 'model_name', 'diffusion_models']]],
  ['CheckpointLoaderKJ', [[0, 'ckpt_name', 'checkpoints']]],
  [
    'GGUFLoaderKJ',
    [
      [0, 'model_name', 'diffusion_models'],
      [1, 'extra_model_name', 'diffusion_models'],
    ],
  ],
  // ComfyUI-GGUF: its unet_gguf and clip_gguf lists are the diffusion_models and text_encoders folders
  ['UnetLoaderGGUF', [[0, 'unet_name', 'diffusion_models']]],
  ['UnetLoaderGGUFAdvanced', [[0, 'unet_name', 'diffusion_models']]],
  ['CLIPLoaderGGUF', [[0, 'clip_name', 'text_encoders']]],
  ['DualCLIPLoaderGGUF', numbered('clip_name', 2, 'text_encoders')],
  ['TripleCLIPLoaderGGUF', numbered('clip_name', 3, 'text_encoders')],
  ['QuadrupleCLIPLoaderGGUF', numbered('clip_name', 4, 'text_encoders')],
  // gguf-node, the other GGUF pack, spells its loaders differently
  ['LoaderGGUF', [[0, 'gguf_name', 'diffusion_models']]],
  ['ClipLoaderGGUF', [[0, 'clip_name', 'text_encoders']]],
  ['DualClipLoaderGGUF', numbered('clip_name', 2, 'text_encoders')],
  ['TripleClipLoaderGGUF', numbered('clip_name', 3, 'text_encoders')],
  ['VaeGGUF', [[0, 'vae_name', 'vae']]],
  // Impact Pack and Subpack; detector values carry their subfolder ("bbox/face_yolov8m.pt" in ultralytics/bbox/)
  ['SAMLoader', [[0, 'model_name', 'sams']]],
  ['ONNXDetectorProvider', [[0, 'model_name', 'onnx']]],
  ['UltralyticsDetectorProvider', [[0, 'model_name', 'ultralytics']]],
  ['MMDetDetectorProvider', [[0, 'model_name', 'mmdets']]],
  ['MMDetLoader', [[0, 'model_name', 'mmdets']]],
  // SeedVR2 keeps both of its models in models/SEEDVR2
  ['SeedVR2LoadDiTModel', [[0, 'model', 'SEEDVR2']]],
  ['SeedVR2LoadVAEModel', [[0, 'model', 'SEEDVR2']]],
];

const LOADER_WIDGETS: ReadonlyMap<string, readonly LoaderWidget[]> = new Map(
  [...CORE, ...CUSTOM].map(([type, widgets]) => [
    type,
    widgets.map(([index, name, folder]) => ({ index, name, folder })),
  ]),
);

/**
 * Widget names that mean one folder whatever the node, used only for nodes missing from the table whose values are
 * keyed by name. `clip_name` is left out on purpose: it names a text encoder in CLIPLoader but a vision model in
 * CLIPVisionLoader.
 */
const WIDGET_NAME_FOLDERS: ReadonlyMap<string, string> = new Map([
  ['ckpt_name', 'checkpoints'],
  ['lora_name', 'loras'],
  ['vae_name', 'vae'],
  ['unet_name', 'diffusion_models'],
  ['control_net_name', 'controlnet'],
]);

/** Node types that only hold text for people to read: a file name in a note is not a file the graph loads. */
const NOTE_TYPES: ReadonlySet<string> = new Set(['Note', 'MarkdownNote']);

/** The model widgets of a node type, or undefined for a type we do not know. */
export function loaderWidgets(nodeType: string): readonly LoaderWidget[] | undefined {
  return LOADER_WIDGETS.get(nodeType);
}

/** The folder a named widget of an unknown node type means, when the name alone tells it. */
export function folderOfWidgetName(widgetName: string): string | undefined {
  return WIDGET_NAME_FOLDERS.get(widgetName);
}

/** Whether a node type is a note, whose text names no file the workflow loads. */
export function isNoteNode(nodeType: string): boolean {
  return NOTE_TYPES.has(nodeType);
}
