import { describe, expect, it } from 'vitest';
import { retryDelay } from '../../../sidecar/remote/download/retry-delay';

const now = Date.parse('2026-01-01T00:00:00Z');
const exact = { noiseMs: 0 };

describe('retryDelay', () => {
  it('backs off 1, 2, 4, 8, 16 s for network errors, then gives up', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => retryDelay({ attempt, now }, exact));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, null]);
  });

  it('retries 408, 429 and 5xx but never 401, 403, 404 or 416', () => {
    for (const status of [408, 429, 500, 502, 503, 504])
      expect(retryDelay({ attempt: 1, status, now }, exact)).toBe(1000);
    for (const status of [400, 401, 403, 404, 410, 416])
      expect(retryDelay({ attempt: 1, status, now }, exact)).toBeNull();
  });

  it('honours an integer Retry-After and an HTTP-date Retry-After', () => {
    expect(retryDelay({ attempt: 1, status: 503, retryAfter: '7', now }, exact)).toBe(7000);
    const date = new Date(now + 12_000).toUTCString();
    expect(retryDelay({ attempt: 1, status: 503, retryAfter: date, now }, exact)).toBe(12_000);
  });

  it("waits RateLimit's t + 1 s (HF), preferring it over Retry-After", () => {
    const rateLimit = '"resolvers";r=0;t=55';
    expect(retryDelay({ attempt: 1, status: 429, rateLimit, retryAfter: '3', now }, exact)).toBe(56_000);
  });

  it('gives up when the server asks for more than serverLimitMs, and caps its own backoff', () => {
    expect(retryDelay({ attempt: 1, status: 429, retryAfter: '3600', now }, exact)).toBeNull();
    expect(retryDelay({ attempt: 9, now }, { ...exact, limit: 10, backoffLimitMs: 5000 })).toBe(5000);
  });

  it('adds bounded noise from the injected random number', () => {
    expect(retryDelay({ attempt: 1, now, random: 0.5 }, { noiseMs: 100 })).toBe(1050);
  });
});
