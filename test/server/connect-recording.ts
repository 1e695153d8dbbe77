import WebSocket from 'ws';

/** A WebSocket client that keeps every raw text frame and every parsed message, in order. */
export interface RecordingClient {
  ws: WebSocket;
  frames: string[];
  messages: Array<Record<string, unknown>>;
  /** The first message (already received or to come) that matches. */
  waitFor(match: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  send(message: unknown): void;
  close(): Promise<void>;
}

export async function connectRecording(wsUrl: string, headers: Record<string, string> = {}): Promise<RecordingClient> {
  const ws = new WebSocket(wsUrl, { headers });
  const frames: string[] = [];
  const messages: Array<Record<string, unknown>> = [];
  const wakers = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? `<binary ${String(data)}>` : String(data);
    frames.push(text);
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) messages.push({ ...parsed });
    } catch {
      messages.push({ type: '<not json>' });
    }
    for (const wake of wakers) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    messages,
    waitFor(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          const found = messages.find(match);
          if (!found) return;
          wakers.delete(wake);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          wakers.delete(wake);
          reject(
            new Error(
              `no matching WebSocket message in ${timeoutMs} ms; got ${messages.map((m) => String(m.type)).join(',')}`,
            ),
          );
        }, timeoutMs);
        wakers.add(wake);
        wake();
      });
    },
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}
