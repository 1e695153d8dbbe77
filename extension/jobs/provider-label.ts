import type { Provider } from '../../shared/check-result';

/** The host names as their users know them. */
export function providerLabel(provider: Provider): string {
  return provider === 'huggingface' ? 'Hugging Face' : 'Civitai';
}
