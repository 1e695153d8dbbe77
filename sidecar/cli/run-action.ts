import { Command } from 'commander';
import { BAD_INPUT_CODES, isDepotError } from '../../shared/errors';

/** How a failed command reports itself. */
export interface FailureReport {
  /** 2 for bad usage or bad input (BAD_INPUT_CODES), 1 for everything else (the exit codes the README lists). */
  exitCode: 1 | 2;
  stream: 'stdout' | 'stderr';
  /** One line (plus a stack with DEBUG), newline-terminated. */
  text: string;
}

export interface DescribeFailureOptions {
  /** `--json`: `{ "error": { "code", "message" } }` on stdout instead of a line on stderr. */
  json: boolean;
  /** Print the stack of an unexpected error (DEBUG is set). */
  debug: boolean;
}

/**
 * The report of an error thrown by a command. A DepotError's message is written for people (what happened, what to
 * do) and is printed as is; anything else is a bug or an unforeseen system error: its message only, stack with DEBUG.
 */
export function describeFailure(error: unknown, options: DescribeFailureOptions): FailureReport {
  if (isDepotError(error)) {
    const exitCode = BAD_INPUT_CODES.has(error.code) ? 2 : 1;
    if (options.json) {
      return {
        exitCode,
        stream: 'stdout',
        text: `${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`,
      };
    }
    return {
      exitCode,
      stream: 'stderr',
      text: `model-depot: ${error.message}\n${options.debug ? stackOf(error) : ''}`,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (options.json) {
    return { exitCode: 1, stream: 'stdout', text: `${JSON.stringify({ error: { code: 'UNEXPECTED', message } })}\n` };
  }
  const hint = options.debug ? stackOf(error) : '';
  return { exitCode: 1, stream: 'stderr', text: `model-depot: unexpected error: ${message}\n${hint}` };
}

/**
 * Wraps a commander action: a resolved number becomes the exit code; a thrown error is reported by
 * `describeFailure` and ends the process with its exit code (servers and timers included).
 */
export function runAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (error) {
      const command = args.findLast((arg): arg is Command => arg instanceof Command);
      const json = command ? command.optsWithGlobals().json === true : process.argv.includes('--json');
      const report = describeFailure(error, { json, debug: Boolean(process.env.DEBUG) });
      const stream = report.stream === 'stdout' ? process.stdout : process.stderr;
      stream.write(report.text, () => process.exit(report.exitCode));
    }
  };
}

function stackOf(error: unknown): string {
  return error instanceof Error && error.stack ? `${error.stack}\n` : '';
}
