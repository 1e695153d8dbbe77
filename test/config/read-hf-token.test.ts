import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { readHfToken } from '../../sidecar/config/read-hf-token';
import { messageOf, rejection } from '../remote/fixtures/loopback-servers';
import { test } from '../remote/http/fixtures/http-test-context';

const TOKEN = 'hf_fileTOKENabcdefghijklmnopqrstu';

describe('readHfToken', () => {
  test('takes HF_TOKEN first, then HUGGING_FACE_HUB_TOKEN, trimmed', async ({ tmp }) => {
    const HF_TOKEN_PATH = path.join(tmp, 'token');
    await writeFile(HF_TOKEN_PATH, TOKEN);
    await expect(
      readHfToken({ env: { HF_TOKEN: ' hf_env \n', HUGGING_FACE_HUB_TOKEN: 'hf_old', HF_TOKEN_PATH } }),
    ).resolves.toBe('hf_env');
    await expect(readHfToken({ env: { HUGGING_FACE_HUB_TOKEN: 'hf_old', HF_TOKEN_PATH } })).resolves.toBe('hf_old');
    await expect(readHfToken({ env: { HF_TOKEN: '', HUGGING_FACE_HUB_TOKEN: ' ', HF_TOKEN_PATH } })).resolves.toBe(
      TOKEN,
    );
  });

  test('reads HF_TOKEN_PATH when no variable holds a token, dropping the trailing newline', async ({ tmp }) => {
    const file = path.join(tmp, 'elsewhere', 'my-token');
    await mkdir(path.dirname(file));
    await writeFile(file, `${TOKEN}\n`);
    await expect(readHfToken({ env: { HF_TOKEN_PATH: file, HF_HOME: path.join(tmp, 'unused') } })).resolves.toBe(TOKEN);
  });

  test('reads $HF_HOME/token without HF_TOKEN_PATH', async ({ tmp }) => {
    await writeFile(path.join(tmp, 'token'), TOKEN);
    await expect(readHfToken({ env: { HF_HOME: tmp } })).resolves.toBe(TOKEN);
  });

  test('reads ~/.cache/huggingface/token by default, and $XDG_CACHE_HOME/huggingface/token when that is set', async ({
    tmp,
  }) => {
    const home = path.join(tmp, 'home');
    await mkdir(path.join(home, '.cache', 'huggingface'), { recursive: true });
    await writeFile(path.join(home, '.cache', 'huggingface', 'token'), TOKEN);
    await expect(readHfToken({ env: { HOME: home } })).resolves.toBe(TOKEN);
    const xdg = path.join(tmp, 'xdg');
    await mkdir(path.join(xdg, 'huggingface'), { recursive: true });
    await writeFile(path.join(xdg, 'huggingface', 'token'), 'hf_xdg');
    await expect(readHfToken({ env: { HOME: home, XDG_CACHE_HOME: xdg } })).resolves.toBe('hf_xdg');
  });

  test('expands a leading ~ in HF_TOKEN_PATH', async ({ tmp }) => {
    await writeFile(path.join(tmp, 'tok'), TOKEN);
    await expect(readHfToken({ env: { HOME: tmp, HF_TOKEN_PATH: '~/tok' } })).resolves.toBe(TOKEN);
  });

  test('is undefined when there is no variable and no file, or an empty file', async ({ tmp }) => {
    await expect(readHfToken({ env: { HOME: tmp } })).resolves.toBeUndefined();
    await expect(readHfToken({ env: { HF_TOKEN_PATH: path.join(tmp, 'missing', 'token') } })).resolves.toBeUndefined();
    await writeFile(path.join(tmp, 'empty'), '\n');
    await expect(readHfToken({ env: { HF_TOKEN_PATH: path.join(tmp, 'empty') } })).resolves.toBeUndefined();
  });

  test('refuses a file that is not a token, without quoting it', async ({ tmp }) => {
    const file = path.join(tmp, 'token');
    await writeFile(file, 'hf_first line\nsecond line');
    const error = await rejection(readHfToken({ env: { HF_TOKEN_PATH: file } }));
    expect(error).toMatchObject({ code: 'BAD_CONFIG' });
    expect(messageOf(error)).toBe(
      `the token file ${file} does not hold a token (it has spaces, line breaks or other characters a token cannot have); ` +
        'copy the token again from https://huggingface.co/settings/tokens, or run `hf auth login`.',
    );
  });

  test('never reads more than a token file can hold (HF_TOKEN_PATH=/dev/zero ends at once)', async () => {
    const error = await rejection(readHfToken({ env: { HF_TOKEN_PATH: '/dev/zero' } }));
    expect(error).toMatchObject({ code: 'BAD_CONFIG' });
    expect(messageOf(error)).toMatch(/^\/dev\/zero is larger than a token file can be \(4096 bytes\)/);
  });

  test('says what to do when the file cannot be read', async ({ tmp }) => {
    const error = await rejection(readHfToken({ env: { HF_TOKEN_PATH: tmp } }));
    expect(error).toMatchObject({ code: 'BAD_CONFIG' });
    expect(messageOf(error)).toBe(
      `The HuggingFace token file ${tmp} cannot be read (EISDIR); fix its permissions, or set HF_TOKEN_PATH or HF_TOKEN.`,
    );
  });

  test.skipIf(process.getuid?.() === 0)('says what to do when the file is not readable', async ({ tmp }) => {
    const file = path.join(tmp, 'token');
    await writeFile(file, TOKEN);
    await chmod(file, 0o000);
    await expect(readHfToken({ env: { HF_TOKEN_PATH: file } })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
  });

  test('refuses a variable that is not a token, naming the variable only', async () => {
    const error = await rejection(readHfToken({ env: { HF_TOKEN: 'hf_abc def' } }));
    expect(messageOf(error)).toMatch(/^HF_TOKEN does not hold a token/);
    expect(messageOf(error)).not.toContain('hf_abc');
  });
});
