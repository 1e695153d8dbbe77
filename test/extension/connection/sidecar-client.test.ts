// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { createSidecarClient, type SidecarClient } from '../../../extension/connection/sidecar-client';
import { sampleCheckResult } from '../fixtures';
import { startFakeSidecar, until } from '../fake-sidecar';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A bare ws server on `port`, closed (clients first) after the test. */
async function rawServer(port: number): Promise<WebSocketServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise((resolve) => server.once('listening', resolve));
  cleanups.push(async () => {
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  });
  return server;
}

function client(url: string, extra: Partial<Parameters<typeof createSidecarClient>[0]> = {}): SidecarClient {
  const c = createSidecarClient({ url, WebSocket, backoff: { initialMs: 20, maxMs: 100 }, ...extra });
  cleanups.push(() => c.stop());
  return c;
}

describe('createSidecarClient', () => {
  it('asks a check and resolves with the parsed answer', async () => {
    const sidecar = await startFakeSidecar({ checkResult: () => sampleCheckResult() });
    cleanups.push(() => sidecar.close());
    const c = client(sidecar.url);
    c.start();
    const result = await c.check({ workflow: { nodes: [] } });
    expect(result.summary.missing).toBe(2);
    expect(sidecar.received[0]).toMatchObject({ type: 'check', workflow: { nodes: [] } });
  });

  it('waits for the sidecar: a check made while it is down is sent once it is up', async () => {
    const probe = await startFakeSidecar();
    const { port } = probe;
    await probe.close();
    const statuses: string[] = [];
    const c = client(`ws://127.0.0.1:${port}/ws`, { onStatus: (status) => statuses.push(status) });
    c.start();
    const answer = c.check({ workflow: { nodes: [] } });
    await until(() => statuses.filter((s) => s === 'closed').length >= 2, 'two failed attempts');
    expect(c.send({ type: 'cancel', provider: 'huggingface' })).toBe(false);

    const server = await rawServer(port);
    server.on('connection', (socket) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        socket.send(JSON.stringify({ type: 'checkResult', id: message.id, result: sampleCheckResult() }));
      });
    });
    await expect(answer).resolves.toMatchObject({ summary: { total: 5 } });
    expect(statuses.at(-1)).toBe('open');
  });

  it('reconnects with backoff after the connection drops', async () => {
    const first = await startFakeSidecar();
    const statuses: string[] = [];
    const c = client(first.url, { onStatus: (status) => statuses.push(status) });
    c.start();
    await until(() => c.status() === 'open', 'first connection');
    await first.close();
    await until(() => statuses.filter((s) => s === 'closed').length >= 2, 'failed retries');
    const again = await rawServer(first.port);
    await until(() => c.status() === 'open' && again.clients.size === 1, 'the reconnection');
    expect(statuses.filter((s) => s === 'open')).toHaveLength(2);
  });

  it('drops messages that do not match the protocol and passes on the valid ones', async () => {
    const sidecar = await startFakeSidecar();
    cleanups.push(() => sidecar.close());
    const onMessage = vi.fn();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    cleanups.push(() => warn.mockRestore());
    const c = client(sidecar.url, { onMessage });
    c.start();
    await until(() => onMessage.mock.calls.length === 1, 'hello');
    sidecar.broadcast({ type: 'nonsense' } as never);
    sidecar.broadcast({
      type: 'progress',
      job: {
        id: 'j',
        category: 'vae',
        filename: 'a.safetensors',
        targetPath: 'vae/a.safetensors',
        state: 'downloading',
        bytes: 1,
        speed: 1,
      },
    });
    await until(() => onMessage.mock.calls.length === 2, 'progress');
    expect(onMessage.mock.calls.map(([m]) => m.type)).toEqual(['hello', 'progress']);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('rejects an install when the sidecar answers with an error', async () => {
    const server = await rawServer(0);
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    server.on('connection', (socket) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        socket.send(
          JSON.stringify({
            type: 'error',
            id: message.id,
            error: { code: 'BAD_INPUT', message: 'items[0].category is not a model folder' },
          }),
        );
      });
    });
    const c = client(`ws://127.0.0.1:${address.port}/ws`);
    c.start();
    await expect(
      c.install([{ category: 'x', filename: 'y.safetensors', urls: [], required: true, origin: 'widget' }]),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: 'items[0].category is not a model folder',
    });
  });

  it('refuses an invalid message of its own without echoing its content', async () => {
    const sidecar = await startFakeSidecar();
    cleanups.push(() => sidecar.close());
    const c = client(sidecar.url);
    c.start();
    await until(() => c.status() === 'open', 'connection');
    const huge = 'x'.repeat(5000);
    let thrown: unknown;
    try {
      c.send({ type: 'token', provider: 'huggingface', token: huge });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('"token"') });
    expect(thrown instanceof Error ? thrown.message : '').not.toContain('xxxx');
    expect(sidecar.received).toEqual([]);
  });

  it("connects to /model-depot/ws on the page's own origin when the URL setting is empty", async () => {
    const server = await rawServer(0);
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    const paths: string[] = [];
    server.on('connection', (_socket, req) => paths.push(req.url ?? ''));
    const c = client('', { pageUrl: `http://127.0.0.1:${address.port}/?workflow=x` });
    c.start();
    await until(() => c.status() === 'open', 'connection');
    expect(paths).toEqual(['/model-depot/ws']);
  });

  it('switches to a new URL when the setting changes', async () => {
    const first = await startFakeSidecar();
    const second = await startFakeSidecar();
    cleanups.push(
      () => first.close(),
      () => second.close(),
    );
    const c = client(first.url);
    c.start();
    await until(() => first.connections() === 1, 'first sidecar');
    c.setUrl(second.url);
    await until(() => second.connections() === 1 && first.connections() === 0, 'second sidecar');
  });
});
