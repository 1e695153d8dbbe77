import { execFileSync } from 'node:child_process';

/** A real 80x24 pseudo-terminal in a private tmux server, driven as a person would. */
export interface TmuxTerminal {
  /** Starts `command` in a fresh session (killing the last one); the shell line after it reports the exit code. */
  start(command: string[]): Promise<void>;
  /** What the terminal shows now. */
  screen(): string;
  /** Waits until `predicate` holds for the screen, else throws with the last screen. */
  waitForScreen(predicate: (text: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** One key at a time with a pause, as a person types (tmux key names: Enter, Escape, Down...). */
  keys(...names: string[]): Promise<void>;
  /** Several keys in one write to the terminal, as a paste or very fast typing arrives: one chunk of input. */
  chunk(bytes: string): void;
  /** Any other tmux command aimed at the session (`display`, `resize-window`, `send-keys` without the pause...). */
  run(command: string, ...args: string[]): string;
  /** Stops the tmux server. */
  close(): void;
}

export interface TmuxTerminalOptions {
  /** How long `waitForScreen` waits when the call names no time; default 20 000 ms. */
  timeoutMs?: number;
  /** How often `waitForScreen` reads the screen; default 100 ms. */
  pollMs?: number;
}

/** `name` keeps the tmux server of one test file apart from the others' (and from the user's). */
export function tmuxTerminal(
  name: string,
  { timeoutMs: defaultTimeoutMs = 20_000, pollMs = 100 }: TmuxTerminalOptions = {},
): TmuxTerminal {
  const socket = `${name}-${process.pid}`;
  const session = 'tui';
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: 'pipe' });
  const screen = () => tmux('capture-pane', '-p', '-t', session);
  return {
    async start(command) {
      const line = command.map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
      try {
        tmux('kill-session', '-t', session);
      } catch {
        // No session yet.
      }
      // Killing the last session stops the tmux server; a new session started while it exits can be refused.
      for (let attempt = 1; ; attempt++) {
        try {
          tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `${line}; echo TUI-EXITED-$?; sleep 60`);
          return;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    screen,
    async waitForScreen(predicate, what, timeoutMs = defaultTimeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let text = '';
      while (Date.now() < deadline) {
        text = screen();
        if (predicate(text)) return text;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
      throw new Error(`Timed out waiting for ${what}. Screen:\n${text}`);
    },
    async keys(...names) {
      for (const key of names) {
        tmux('send-keys', '-t', session, key);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
    chunk(bytes) {
      tmux('send-keys', '-t', session, '-l', bytes);
    },
    run(command, ...args) {
      return tmux(command, '-t', session, ...args);
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        // The server is gone when the session ended by itself.
      }
    },
  };
}
