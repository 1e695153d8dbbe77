import { describe, expect, it } from 'vitest';
import { DepotError } from '../../../shared/errors';
import { proxyForUrl, proxySettings } from '../../../sidecar/remote/http/proxy-for-url';
import { messageOf } from '../fixtures/loopback-servers';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** The proxy a URL goes through under `env`, as `from -> href`, or 'direct'. */
function route(env: Record<string, string | undefined>, url: string, proxy?: string): string {
  const choice = proxyForUrl(url, proxySettings({ env, proxy }));
  return choice === undefined ? 'direct' : `${choice.from} -> ${choice.url.href}`;
}

describe('proxySettings and proxyForUrl', () => {
  describe('which variable', () => {
    it('sends https URLs through HTTPS_PROXY and http URLs through HTTP_PROXY', () => {
      const env = { HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:3128' };
      expect(route(env, 'https://huggingface.co/api')).toBe('HTTPS_PROXY -> http://secure:3128/');
      expect(route(env, 'http://127.0.0.1:8080/api')).toBe('HTTP_PROXY -> http://plain:3128/');
    });

    it('prefers the lower-case variable when both cases are set', () => {
      const env = {
        https_proxy: 'http://lower:1',
        HTTPS_PROXY: 'http://upper:2',
        http_proxy: 'http://l:3',
        HTTP_PROXY: 'http://u:4',
      };
      expect(route(env, 'https://huggingface.co/')).toBe('https_proxy -> http://lower:1/');
      expect(route(env, 'http://example.test/')).toBe('http_proxy -> http://l:3/');
    });

    it('sends https URLs through HTTP_PROXY when HTTPS_PROXY is unset, as undici does', () => {
      expect(route({ HTTP_PROXY: 'http://plain:3128' }, 'https://huggingface.co/')).toBe(
        'HTTP_PROXY -> http://plain:3128/',
      );
    });

    it('never sends http URLs through HTTPS_PROXY', () => {
      expect(route({ HTTPS_PROXY: 'http://secure:3128' }, 'http://127.0.0.1:1/')).toBe('direct');
    });

    it('lets the configured proxy win over both variables', () => {
      const env = { HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:3128' };
      expect(route(env, 'https://huggingface.co/', 'http://corp:8080')).toBe('the proxy setting -> http://corp:8080/');
      expect(route(env, 'http://127.0.0.1/', 'http://corp:8080')).toBe('the proxy setting -> http://corp:8080/');
    });

    it('goes direct without any variable, and ignores empty or blank ones', () => {
      expect(route({}, 'https://huggingface.co/')).toBe('direct');
      expect(route({ HTTPS_PROXY: '', https_proxy: '  ' }, 'https://huggingface.co/')).toBe('direct');
      expect(route({ https_proxy: '', HTTPS_PROXY: 'http://upper:2' }, 'https://huggingface.co/')).toBe(
        'HTTPS_PROXY -> http://upper:2/',
      );
    });

    it('reads a proxy without a scheme as http, as curl does', () => {
      expect(route({ HTTPS_PROXY: 'proxy.corp:3128' }, 'https://huggingface.co/')).toBe(
        'HTTPS_PROXY -> http://proxy.corp:3128/',
      );
    });

    it('reads only the env object it is given, never process.env', () => {
      const saved = process.env.HTTPS_PROXY;
      process.env.HTTPS_PROXY = 'http://from-process-env:1';
      try {
        expect(route({}, 'https://huggingface.co/')).toBe('direct');
      } finally {
        if (saved === undefined) delete process.env.HTTPS_PROXY;
        else process.env.HTTPS_PROXY = saved;
      }
    });
  });

  describe('NO_PROXY', () => {
    const proxied = (noProxy: string, url: string): boolean =>
      route({ HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1', NO_PROXY: noProxy }, url) !== 'direct';

    it.each([
      ['huggingface.co', 'https://huggingface.co/api', false],
      ['huggingface.co', 'https://cdn-lfs.huggingface.co/x', false],
      ['huggingface.co', 'https://nothuggingface.co/x', true],
      ['.hf.co', 'https://cas-bridge.xethub.hf.co/x', false],
      ['.hf.co', 'https://hf.co/x', false],
      ['*.hf.co', 'https://cdn-lfs.hf.co/x', false],
      ['HuggingFace.CO', 'https://huggingface.co/', false],
      ['huggingface.co:443', 'https://huggingface.co/', false],
      ['huggingface.co:8443', 'https://huggingface.co/', true],
      ['localhost:8080', 'http://localhost:8080/', false],
      ['localhost:8080', 'http://localhost:8081/', true],
      ['127.0.0.1', 'http://127.0.0.1:9999/', false],
      ['127.0.0.1', 'http://127.0.0.2/', true],
      ['[::1]', 'http://[::1]:80/', false],
      ['::1', 'http://[::1]:8080/', false],
      ['[::1]:8080', 'http://[::1]:8080/', false],
      ['[::1]:8080', 'http://[::1]:8081/', true],
      ['civitai.com, huggingface.co', 'https://huggingface.co/', false],
      ['civitai.com huggingface.co', 'https://huggingface.co/', false],
      ['*', 'https://huggingface.co/', false],
      ['', 'https://huggingface.co/', true],
    ])('NO_PROXY=%j: %s goes through the proxy: %s', (noProxy, url, expected) => {
      expect(proxied(noProxy, url)).toBe(expected);
    });

    it('reads no_proxy before NO_PROXY', () => {
      const env = { HTTPS_PROXY: 'http://p:1', no_proxy: 'civitai.com', NO_PROXY: 'huggingface.co' };
      expect(route(env, 'https://huggingface.co/')).not.toBe('direct');
      expect(route(env, 'https://civitai.com/')).toBe('direct');
    });

    it('applies to the configured proxy too', () => {
      expect(route({ NO_PROXY: 'huggingface.co' }, 'https://huggingface.co/', 'http://corp:8080')).toBe('direct');
    });
  });

  describe('unusable values', () => {
    it('refuses a proxy that is not a URL, naming the variable and not its credentials', () => {
      const error = thrown(() => proxySettings({ env: { HTTPS_PROXY: 'http://user:secret@[bad' } }));
      expect(error).toBeInstanceOf(DepotError);
      expect(error).toMatchObject({ code: 'BAD_CONFIG' });
      expect(messageOf(error)).toMatch(/^HTTPS_PROXY is not a proxy URL/);
      expect(messageOf(error)).not.toContain('secret');
    });

    it('refuses a SOCKS proxy with a message saying what is supported', () => {
      expect(() => proxySettings({ env: { ALL_PROXY: 'x', https_proxy: 'socks5://user:secret@host:1080' } })).toThrow(
        /^https_proxy names a socks5 proxy \(socks5:\/\/host:1080\); only http:\/\/ and https:\/\/ proxies are supported\.$/,
      );
    });

    it('refuses an unusable configured proxy, naming the setting', () => {
      expect(() => proxySettings({ env: {}, proxy: 'ftp://host:21' })).toThrow(/^the proxy setting names a ftp proxy/);
    });
  });
});
