import { render } from 'ink';
import { keyByKeyStdin } from './key-by-key-stdin';
import { TuiApp, type TuiAppProps } from './tui-app';

// The alternate screen keeps the user's scrollback intact; SGR mouse reporting lets a click move the cursor.
const ENTER = '\u001b[?1049h\u001b[?1000h\u001b[?1006h';
const LEAVE = '\u001b[?1006l\u001b[?1000l\u001b[?1049l';

export interface RunTuiOptions extends TuiAppProps {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/** Runs the terminal UI until the user quits, and always gives the terminal back as it found it. */
export async function runTui({
  stdout = process.stdout,
  stdin = process.stdin,
  ...props
}: RunTuiOptions): Promise<void> {
  stdout.write(ENTER);
  const restore = () => stdout.write(LEAVE);
  process.once('exit', restore);
  try {
    const instance = render(<TuiApp {...props} />, { stdout, stdin: keyByKeyStdin(stdin), exitOnCtrlC: true });
    await instance.waitUntilExit();
    instance.cleanup();
  } finally {
    process.removeListener('exit', restore);
    restore();
  }
}
