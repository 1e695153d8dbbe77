import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { CheckResult } from '../../shared/check-result';
import type { Job } from '../../shared/job';
import { type ClientMessage, type ServerMessage, zClientMessage } from '../../shared/protocol';
import type { Requirement } from '../../shared/requirement';

export interface FakeSidecarOptions {
  /** The answer to every `check` (default: nothing needed). */
  checkResult?: (workflow: unknown) => CheckResult;
  /** The jobs an `install` creates (default: one queued job per item). */
  jobsFor?: (items: Requirement[]) => Job[];
}

/**
 * A loopback WebSocket server speaking the sidecar's protocol with canned answers, for the extension's jsdom tests
 * (the end-to-end test uses the real sidecar). Every message it receives is parsed with the shared schema.
 */
export async function startFakeSidecar(options: FakeSidecarOptions = {}) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const received: ClientMessage[] = [];
  const sockets = new Set<WebSocket>();
  const send = (socket: WebSocket, message: ServerMessage) => socket.send(JSON.stringify(message));

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    send(socket, { type: 'hello', version: 'test', jobs: [] });
    socket.on('message', (data) => {
      const message = zClientMessage.parse(JSON.parse(String(data)));
      received.push(message);
      if (message.type === 'check' && options.checkResult) {
        send(socket, { type: 'checkResult', id: message.id, result: options.checkResult(message.workflow) });
      } else if (message.type === 'install') {
        const jobs = (options.jobsFor ?? defaultJobs)(message.items);
        send(socket, { type: 'installStarted', id: message.id, jobs });
      }
    });
  });

  return {
    url: `ws://127.0.0.1:${port}/ws`,
    port,
    received,
    /** Sends a message to every connected client. */
    broadcast(message: ServerMessage) {
      for (const socket of sockets) send(socket, message);
    },
    connections: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function defaultJobs(items: Requirement[]): Job[] {
  return items.map((item, i) => ({
    id: `job-${i + 1}`,
    category: item.category,
    filename: item.filename,
    targetPath: `${item.category}/${item.filename}`,
    state: 'queued',
    bytes: 0,
    total: item.size,
    speed: 0,
  }));
}

/** Polls until `check` holds (the messages cross a real socket). */
export async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
