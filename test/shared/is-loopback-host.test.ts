import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../shared/is-loopback-host';
import { isLoopbackEndpoint } from '../../sidecar/cli/is-loopback-endpoint';

describe('isLoopbackHost', () => {
  it('knows this machine by name and address', () => {
    for (const host of ['localhost', 'cdn.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])
      expect(isLoopbackHost(host)).toBe(true);
  });

  it('is not fooled by names that only start like a loopback address', () => {
    for (const host of ['127.evil.com', '127.0.0.1.evil.com', 'localhost.evil.com', 'evil-localhost', '10.0.0.1']) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });
});

describe('isLoopbackEndpoint', () => {
  it('allows loopback hops only for an endpoint on this machine', () => {
    expect(isLoopbackEndpoint('http://127.0.0.1:8080')).toBe(true);
    expect(isLoopbackEndpoint('https://127.evil.com')).toBe(false);
    expect(isLoopbackEndpoint('https://huggingface.co')).toBe(false);
  });
});
