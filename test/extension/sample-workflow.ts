/**
 * A workflow as ComfyUI's file has it at first load: a `dependencies` section and ComfyUI's top-level `models`
 * (both lost on re-serialization), a node's `properties.models` and a loader widget (both kept).
 */
export function sampleWorkflow(id = '0b7cf1d6-7f43-4a53-9f0d-2a7c6c1f0e11'): Record<string, unknown> {
  return {
    id,
    revision: 0,
    last_node_id: 2,
    last_link_id: 0,
    nodes: [
      {
        id: 1,
        type: 'CheckpointLoaderSimple',
        mode: 0,
        properties: { 'Node name for S&R': 'CheckpointLoaderSimple' },
        widgets_values: ['sd_xl_base_1.0.safetensors'],
      },
      {
        id: 2,
        type: 'VAELoader',
        mode: 0,
        properties: {
          models: [
            {
              name: 'sdxl_vae.safetensors',
              url: 'https://huggingface.co/stabilityai/sdxl-vae/resolve/main/sdxl_vae.safetensors',
              directory: 'vae',
            },
          ],
        },
        widgets_values: ['sdxl_vae.safetensors'],
      },
    ],
    links: [],
    groups: [],
    config: {},
    extra: { ds: { scale: 1, offset: [0, 0] } },
    version: 0.4,
    models: [
      {
        name: 'flux1-dev.safetensors',
        url: 'https://huggingface.co/black-forest-labs/FLUX.1-dev/resolve/main/flux1-dev.safetensors',
        hash: 'B'.repeat(64),
        hash_type: 'SHA256',
        directory: 'diffusion_models',
      },
    ],
    dependencies: {
      checkpoints: [
        {
          filename: 'sd_xl_base_1.0.safetensors',
          sha256: '31e35c80fc4829d14f90153f4c74cd59c90b779f6afe05a74cd6120b893f7e5b',
          size: 6938078334,
          urls: [
            'https://huggingface.co/stabilityai/stable-diffusion-xl-base-1.0/resolve/main/sd_xl_base_1.0.safetensors',
          ],
          display_name: 'Stable Diffusion XL Base 1.0',
          required: true,
          requires_auth: false,
        },
      ],
    },
  };
}

/**
 * What ComfyUI hands to beforeConfigureGraph on a tab switch, a restore or after a save: the graph re-serialized,
 * so the top-level keys it does not own are gone (`models` arrives as null) and `extra` survives.
 */
export function reserialize(workflow: unknown): Record<string, unknown> {
  if (typeof workflow !== 'object' || workflow === null) throw new Error('not a workflow object');
  const copy: Record<string, unknown> = { ...structuredClone(workflow) };
  const { id, revision, last_node_id, last_link_id, nodes, links, groups, config, extra, version } = copy;
  return { id, revision, last_node_id, last_link_id, nodes, links, groups, config, extra, version, models: null };
}
