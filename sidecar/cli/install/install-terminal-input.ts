import { createInterface } from 'node:readline/promises';

/**
 * Keyboard input for `install`: stdin when it is a terminal. `install` asks nothing when stdin is not a terminal
 * (it then needs --yes, and a download that needs a token fails with a hint about HF_TOKEN / CIVITAI_API_TOKEN).
 */
export function openTerminalInput():
  | { input: NodeJS.ReadStream & { setRawMode(mode: boolean): unknown }; close(): void }
  | undefined {
  const stdin = process.stdin;
  if (!stdin.isTTY) return undefined;
  return { input: stdin, close: () => stdin.pause() };
}

export interface ReadHiddenOptions {
  /** Shown before the input, e.g. "HuggingFace token (hidden, not saved): ". */
  prompt: string;
  /** Where the prompt is written. Default process.stderr. */
  output?: NodeJS.WritableStream;
}

/**
 * Reads one line with echo off (raw mode: each key is handled here, nothing is echoed). Resolves undefined on
 * Ctrl-C, Ctrl-D or Escape, so the caller can cancel what was waiting for it.
 */
export function readHiddenLine(options: ReadHiddenOptions): Promise<string | undefined> {
  const output = options.output ?? process.stderr;
  const terminal = openTerminalInput();
  if (!terminal) return Promise.resolve(undefined);
  const { input } = terminal;
  // Echo goes off before the prompt shows: a token pasted the instant the prompt appears is never echoed.
  input.setRawMode(true);
  output.write(options.prompt);
  return new Promise((resolve) => {
    let value = '';
    const finish = (result: string | undefined): void => {
      input.off('data', onData);
      input.setRawMode(false);
      terminal.close();
      output.write('\n');
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      // A pasted token arrives as one chunk, maybe with its Enter; an escape sequence (arrow keys) is ignored.
      if (text.startsWith('\u001b')) {
        if (text === '\u001b') finish(undefined);
        return;
      }
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') {
          finish(value);
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish(undefined);
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    input.resume();
    input.on('data', onData);
  });
}

/** Asks a yes/no question on the terminal; anything but y/yes is no. */
export async function askYesNo(question: string, output: NodeJS.WritableStream = process.stderr): Promise<boolean> {
  const terminal = openTerminalInput();
  if (!terminal) return false;
  const rl = createInterface({ input: terminal.input, output });
  try {
    const answer = await rl.question(question);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
    terminal.close();
  }
}
