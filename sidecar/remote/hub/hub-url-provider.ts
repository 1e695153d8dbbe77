import type { Provider } from '../../../shared/check-result';

/**
 * The provider a model URL points at, by its host alone (no network, no endpoint rewriting): `huggingface.co`,
 * `hf.co` and their subdomains are HuggingFace, `civitai.com` and its subdomains Civitai. Undefined for anything
 * else, including malformed URLs. Which URLs may be fetched is the host policy's decision, not this one's.
 */
export function hubUrlProvider(url: string): Provider | undefined {
  if (!URL.canParse(url)) return undefined;
  const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  const isOrUnder = (domain: string): boolean => host === domain || host.endsWith(`.${domain}`);
  if (isOrUnder('huggingface.co') || isOrUnder('hf.co')) return 'huggingface';
  if (isOrUnder('civitai.com')) return 'civitai';
  return undefined;
}
