import { describe, expect, it } from 'vitest';
import { createOriginGuard } from '../../sidecar/server/origin-guard';
import { judgeAccess } from '../../sidecar/server/judge-access';
import { createRefusalLog } from '../../sidecar/server/refusal-log';
import { createLogger } from '../../sidecar/runtime/logger';

const guard = createOriginGuard({ allowedOrigins: ['http://127.0.0.1:8188'], host: '127.0.0.1' });

function refusalOf(url: string, headers: Record<string, string>) {
  const access = judgeAccess({ url, headers, guard, proxyKey: undefined, port: 8190, checkOrigin: true });
  if (access.allowed) throw new Error('expected a refusal');
  return access.refusal;
}

describe('createRefusalLog', () => {
  it('says which origin or host was refused and what to add to allowed_origins or allowed_hosts', () => {
    const lines: string[] = [];
    let now = 0;
    const log = createRefusalLog({
      logger: createLogger({ write: (line) => lines.push(line), level: 'warn' }),
      configFile: '/home/me/.config/model-depot/config.json',
      now: () => now,
    });
    log(refusalOf('/ws', { host: '127.0.0.1:8190', origin: 'https://192.168.1.30:8000' }), {
      method: 'GET',
      url: '/ws',
      via: 'websocket',
    });
    log(refusalOf('/health?x=1', { host: 'comfy.lan:8190' }), { method: 'GET', url: '/health?x=1', via: 'http' });
    expect(lines).toHaveLength(2);
    const [origin, host] = lines.map((line) => JSON.parse(line));
    // The logger prints every URL through its redaction, which writes an origin with a trailing slash.
    expect(origin).toMatchObject({
      level: 'warn',
      origin: expect.stringMatching(/^https:\/\/192\.168\.1\.30:8000\/?$/),
      config: '/home/me/.config/model-depot/config.json',
    });
    expect(origin.msg).toContain('refused a WebSocket (GET /ws)');
    expect(origin.msg).toContain('add "https://192.168.1.30:8000');
    expect(origin.msg).toContain('allowed_origins');
    expect(host).toMatchObject({ host: 'comfy.lan:8190' });
    expect(host.msg).toContain('add "comfy.lan" to allowed_hosts');
    expect(host.msg).not.toContain('x=1');

    // A page retrying every few seconds is logged once a minute.
    for (let i = 0; i < 5; i++) {
      now += 5_000;
      log(refusalOf('/ws', { host: '127.0.0.1:8190', origin: 'https://192.168.1.30:8000' }), {
        method: 'GET',
        url: '/ws',
        via: 'websocket',
      });
    }
    expect(lines).toHaveLength(2);
    now += 60_000;
    log(refusalOf('/ws', { host: '127.0.0.1:8190', origin: 'https://192.168.1.30:8000' }), {
      method: 'GET',
      url: '/ws',
      via: 'websocket',
    });
    expect(lines).toHaveLength(3);
  });

  it("logs a forwarded request without the custom node's key, and never a header value but Origin and Host", () => {
    const lines: string[] = [];
    const log = createRefusalLog({ logger: createLogger({ write: (line) => lines.push(line) }) });
    const headers = { host: '127.0.0.1:8190', 'x-model-depot-key': 'a-made-up-key-0123456789' };
    const refusal = refusalOf('/model-depot/models', headers);
    expect(refusal.reason).toBe('proxy-key');
    log(refusal, { method: 'GET', url: '/model-depot/models', via: 'http' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('no valid custom-node key');
    expect(lines[0]).not.toContain('a-made-up-key');
    expect(refusal.message).not.toContain('a-made-up-key');
  });
});
