import type { CivitaiVersion, HubState } from '../hub-state';

/** The body of `/api/v1/model-versions/{id}` and `/by-hash/{hash}`: UPPERCASE hashes, `sizeKB` as a float. */
export async function civitaiVersionJson(state: HubState, version: CivitaiVersion): Promise<Record<string, unknown>> {
  const { spec } = version;
  const downloadUrl = `${state.urls.civitaiUrl}/api/download/models/${spec.id}`;
  const files = [];
  for (const file of version.files) {
    const sha256 = (await state.digests.sha256(file.source)).toUpperCase();
    const query = file.primary ? '' : `?${new URLSearchParams({ type: file.type, format: file.format }).toString()}`;
    files.push({
      id: file.id,
      sizeKB: file.source.size / 1024,
      name: file.name,
      type: file.type,
      pickleScanResult: 'Success',
      virusScanResult: 'Success',
      metadata: { format: file.format, size: file.sizeLabel, fp: file.fp },
      hashes: { AutoV2: sha256.slice(0, 10), SHA256: sha256 },
      downloadUrl: `${downloadUrl}${query}`,
      primary: file.primary,
    });
  }
  return {
    id: spec.id,
    modelId: spec.modelId ?? spec.id + 1_000_000,
    name: spec.name ?? 'v1.0',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    status: 'Published',
    publishedAt: '2025-01-01T00:00:00.000Z',
    trainedWords: [],
    baseModel: spec.baseModel ?? 'SDXL 1.0',
    description: null,
    model: {
      name: spec.modelName ?? `Model ${spec.id}`,
      type: spec.modelType ?? 'Checkpoint',
      nsfw: false,
      poi: false,
    },
    files,
    images: [],
    downloadUrl,
  };
}
