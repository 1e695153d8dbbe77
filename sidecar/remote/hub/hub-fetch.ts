import nodeFetch from 'node-fetch';

/** The request options the metadata clients use; node-fetch 3 and Node's global fetch both accept them. */
export interface HubFetchInit {
  method?: string;
  headers?: Record<string, string>;
  /** 'manual' where each hop must be looked at (X-Linked-* live on the 302 itself). */
  redirect?: 'manual' | 'follow';
  signal?: AbortSignal;
}

/** The part of a response the metadata clients read. */
export interface HubFetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** A fetch function: node-fetch 3 by default, injectable (tests and callers may pass Node's global fetch). */
export type HubFetch = (url: string, init?: HubFetchInit) => Promise<HubFetchResponse>;

/** node-fetch 3, the product's HTTP client (one agent behaviour on every Node version we support). */
export const defaultHubFetch: HubFetch = (url, init) => nodeFetch(url, init);
