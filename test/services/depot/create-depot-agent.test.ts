import { describe, expect, it } from 'vitest';
import { createDepotAgent } from '../../../sidecar/services/depot/create-depot-agent';

describe('createDepotAgent', () => {
  it('sends every request through the configured proxy, over HTTPS_PROXY, and still honours NO_PROXY', async () => {
    const agent = createDepotAgent({
      env: { HTTPS_PROXY: 'http://env-proxy.example:3128', NO_PROXY: 'mirror.lan' },
      proxy: 'http://config-proxy.example:8080',
    });
    try {
      expect(agent.proxyFor('https://huggingface.co/x')?.url.host).toBe('config-proxy.example:8080');
      expect(agent.proxyFor('http://civitai.com/x')?.url.host).toBe('config-proxy.example:8080');
      expect(agent.proxyFor('https://mirror.lan/x')).toBeUndefined();
    } finally {
      await agent.destroy();
    }
  });

  it('uses the environment when no proxy is configured', async () => {
    const agent = createDepotAgent({ env: { https_proxy: 'http://env-proxy.example:3128' } });
    try {
      expect(agent.proxyFor('https://huggingface.co/x')?.url.host).toBe('env-proxy.example:3128');
      expect(agent.proxyFor('http://127.0.0.1:1/x')).toBeUndefined();
    } finally {
      await agent.destroy();
    }
  });
});
