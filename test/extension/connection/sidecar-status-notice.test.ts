// @vitest-environment jsdom
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect } from 'vitest';
import { WebSocketServer } from 'ws';
import type { ToastOptions } from '../../../extension/comfyui/comfy-app-types';
import { CLOSE_NOT_RUNNING, CLOSE_REFUSED } from '../../../extension/connection/diagnose-sidecar';
import { createSidecarClient } from '../../../extension/connection/sidecar-client';
import {
  createSidecarStatusNotice,
  SIDECAR_DOWN_DETAIL,
  SIDECAR_DOWN_SUMMARY,
  SIDECAR_REFUSED_SUMMARY,
} from '../../../extension/connection/sidecar-status-notice';
import { test } from '../../server/sidecar-fixture';
import { until } from '../fake-sidecar';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The extension's client and its one notice, with every toast kept. */
function connect(url: string, pageUrl?: string): ToastOptions[] {
  const toasts: ToastOptions[] = [];
  const notice = createSidecarStatusNotice((toast) => toasts.push(toast));
  const client = createSidecarClient({
    url,
    ...(pageUrl === undefined ? {} : { pageUrl }),
    WebSocket,
    backoff: { initialMs: 20, maxMs: 50 },
    onStatus: notice,
  });
  client.start();
  cleanups.push(() => client.stop());
  return toasts;
}

/**
 * A stand-in for ComfyUI with the model-depot custom node in front of a sidecar that cannot be used: the socket is
 * accepted and closed with `closeCode`, and GET /model-depot/health answers `status` with `message`.
 */
async function comfyuiForwarding(closeCode: number, status: number, message: string): Promise<string> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/model-depot/health') return res.writeHead(404).end();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: status === 403 ? 'ORIGIN_REFUSED' : 'SIDECAR_NOT_RUNNING', message } }));
  });
  const sockets = new WebSocketServer({ server, path: '/model-depot/ws' });
  sockets.on('connection', (socket) => socket.close(closeCode, 'model-depot: see /model-depot/health'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets.clients) socket.terminate();
    sockets.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('the sidecar status notice', () => {
  test('a direct URL to a sidecar that refuses this page: "refused", with what to add to allowed_origins', async ({
    server,
  }) => {
    // jsdom's page (http://localhost:3000) is not among the sidecar's allowed origins.
    const toasts = connect(`${server.url.replace('http', 'ws')}/ws`);
    await until(() => toasts.length > 0, 'the notice', 5000);
    expect(toasts).toHaveLength(1);
    expect(toasts[0]).toMatchObject({ severity: 'error', summary: SIDECAR_REFUSED_SUMMARY });
    expect(toasts[0]?.detail).toContain(`Add "${location.origin}" to allowed_origins`);
    expect(toasts[0]?.detail).toContain('leave the sidecar URL in Settings > Model Depot empty');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(toasts).toHaveLength(1);
  });

  test('a direct URL where nothing listens: "not running", with the command to start it', async () => {
    const toasts = connect('ws://127.0.0.1:9/ws');
    await until(() => toasts.length > 0, 'the notice', 5000);
    expect(toasts).toEqual([
      { severity: 'warn', summary: SIDECAR_DOWN_SUMMARY, detail: SIDECAR_DOWN_DETAIL, life: 20000 },
    ]);
  });

  test("through ComfyUI, a sidecar that is not running: the custom node's exact command", async () => {
    const command = 'node /opt/model-depot/bin/model-depot.cjs serve --comfyui /home/me/ComfyUI --port 8190';
    const page = await comfyuiForwarding(
      CLOSE_NOT_RUNNING,
      503,
      `The model-depot sidecar is not running. Start it with: ${command}`,
    );
    const toasts = connect('', page);
    await until(() => toasts.length > 0, 'the notice', 5000);
    expect(toasts).toHaveLength(1);
    expect(toasts[0]).toMatchObject({ severity: 'warn', summary: SIDECAR_DOWN_SUMMARY });
    expect(toasts[0]?.detail).toContain(command);
  });

  test('through ComfyUI, a sidecar that refuses the custom node: "refused", with what to change', async () => {
    const message =
      'The sidecar at http://127.0.0.1:8190 is running but ComfyUI found no key from it at /x/.registry/sidecar-key.';
    const page = await comfyuiForwarding(CLOSE_REFUSED, 403, message);
    const toasts = connect('', page);
    await until(() => toasts.length > 0, 'the notice', 5000);
    expect(toasts).toEqual([{ severity: 'error', summary: SIDECAR_REFUSED_SUMMARY, detail: message, life: 30000 }]);
  });

  test('through a ComfyUI without the custom node: says to install it and restart ComfyUI', async () => {
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const toasts = connect('', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await until(() => toasts.length > 0, 'the notice', 5000);
    expect(toasts[0]).toMatchObject({ summary: SIDECAR_DOWN_SUMMARY });
    expect(toasts[0]?.detail).toContain('model-depot comfyui-install --comfyui');
  });
});
