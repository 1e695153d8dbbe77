import { describe, expect, it } from 'vitest';
import { DepotError } from '../../shared/errors';
import { describeFailure } from '../../sidecar/cli/run-action';

describe('describeFailure', () => {
  it('prints a DepotError as one line on stderr, exit 2 for bad input', () => {
    const error = new DepotError('BAD_INPUT', 'workflow.json is not JSON; export it again from ComfyUI.');
    expect(describeFailure(error, { json: false, debug: false })).toEqual({
      exitCode: 2,
      stream: 'stderr',
      text: 'model-depot: workflow.json is not JSON; export it again from ComfyUI.\n',
    });
  });

  it('gives exit 1 for a failure that is not bad input', () => {
    expect(describeFailure(new DepotError('NETWORK', 'down'), { json: false, debug: false }).exitCode).toBe(1);
    expect(describeFailure(new DepotError('REGISTRY_LOCKED', 'busy'), { json: false, debug: false }).exitCode).toBe(1);
  });

  it('answers { error: { code, message } } on stdout with --json', () => {
    const report = describeFailure(new DepotError('BAD_CONFIG', 'bad port'), { json: true, debug: false });
    expect(report.stream).toBe('stdout');
    expect(report.exitCode).toBe(2);
    expect(JSON.parse(report.text)).toEqual({ error: { code: 'BAD_CONFIG', message: 'bad port' } });
  });

  it("shows an unexpected error's message without a stack, unless DEBUG is set", () => {
    const error = new TypeError('x is not a function');
    const quiet = describeFailure(error, { json: false, debug: false });
    expect(quiet).toEqual({
      exitCode: 1,
      stream: 'stderr',
      text: 'model-depot: unexpected error: x is not a function\n',
    });
    expect(describeFailure(error, { json: false, debug: true }).text).toContain('at ');
  });
});
