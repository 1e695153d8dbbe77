/**
 * Which widgets of which loader nodes name a model file, and in which ComfyUI folder it lives.
 * `index` is the position in the UI format's `widgets_values` list; `name` the key in the API format's `inputs`
 * (and in nodes that serialize `widgets_values` as an object).
 *
 * Core loaders from ComfyUI's nodes.py and comfy_extras, plus the widely used GGUF and custom-script loaders.
 * A node type missing here contributes nothing from its widgets (see `WIDGET_NAME_FOLDERS` for the one fallback):
 * without the node we cannot know the folder, and a guess would report false "unavailable" items for custom nodes
 * whose lists hold files that are not models. Such nodes are still covered by their `properties.models`.
 */
export interface LoaderWidget {
  index: number;
  name: string;
  folder: string;
}

const one = (name: string, folder: string, index = 0): LoaderWidget[] => [{ index, name, folder }];
const numbered = (prefix: string, count: number, folder: string): LoaderWidget[] =>
  Array.from({ length: count }, (_, i) => ({ index: i, name: `${prefix}${i + 1}`, folder }));

const LOADER_WIDGETS: ReadonlyMap<string, readonly LoaderWidget[]> = new Map<string, LoaderWidget[]>([
  ['CheckpointLoaderSimple', one('ckpt_name', 'checkpoints')],
  // widgets: config_name (a .yaml in configs: not a model file), ckpt_name
  ['CheckpointLoader', one('ckpt_name', 'checkpoints', 1)],
  ['ImageOnlyCheckpointLoader', one('ckpt_name', 'checkpoints')],
  ['unCLIPCheckpointLoader', one('ckpt_name', 'checkpoints')],
  ['CheckpointLoader|pysssss', one('ckpt_name', 'checkpoints')],
  ['LoraLoader', one('lora_name', 'loras')],
  ['LoraLoaderModelOnly', one('lora_name', 'loras')],
  ['LoraLoader|pysssss', one('lora_name', 'loras')],
  ['VAELoader', one('vae_name', 'vae')],
  ['UNETLoader', one('unet_name', 'diffusion_models')],
  ['UnetLoaderGGUF', one('unet_name', 'diffusion_models')],
  ['UnetLoaderGGUFAdvanced', one('unet_name', 'diffusion_models')],
  ['CLIPLoader', one('clip_name', 'text_encoders')],
  ['CLIPLoaderGGUF', one('clip_name', 'text_encoders')],
  ['DualCLIPLoader', numbered('clip_name', 2, 'text_encoders')],
  ['DualCLIPLoaderGGUF', numbered('clip_name', 2, 'text_encoders')],
  ['TripleCLIPLoader', numbered('clip_name', 3, 'text_encoders')],
  ['TripleCLIPLoaderGGUF', numbered('clip_name', 3, 'text_encoders')],
  ['QuadrupleCLIPLoader', numbered('clip_name', 4, 'text_encoders')],
  ['QuadrupleCLIPLoaderGGUF', numbered('clip_name', 4, 'text_encoders')],
  ['CLIPVisionLoader', one('clip_name', 'clip_vision')],
  ['ControlNetLoader', one('control_net_name', 'controlnet')],
  ['DiffControlNetLoader', one('control_net_name', 'controlnet')],
  ['UpscaleModelLoader', one('model_name', 'upscale_models')],
  ['LatentUpscaleModelLoader', one('model_name', 'latent_upscale_models')],
  ['StyleModelLoader', one('style_model_name', 'style_models')],
  ['GLIGENLoader', one('gligen_name', 'gligen')],
  ['HypernetworkLoader', one('hypernetwork_name', 'hypernetworks')],
  ['PhotoMakerLoader', one('photomaker_model_name', 'photomaker')],
  ['ModelPatchLoader', one('name', 'model_patches')],
  ['AudioEncoderLoader', one('audio_encoder_name', 'audio_encoders')],
  ['IPAdapterModelLoader', one('ipadapter_file', 'ipadapter')],
]);

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

/** The model widgets of a node type, or undefined for a type we do not know. */
export function loaderWidgets(nodeType: string): readonly LoaderWidget[] | undefined {
  return LOADER_WIDGETS.get(nodeType);
}

/** The folder a named widget of an unknown node type means, when the name alone tells it. */
export function folderOfWidgetName(widgetName: string): string | undefined {
  return WIDGET_NAME_FOLDERS.get(widgetName);
}
