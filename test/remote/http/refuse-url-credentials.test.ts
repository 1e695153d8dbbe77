import { describe, expect, it } from 'vitest';
import { DepotError } from '../../../shared/errors';
import { refuseUrlCredentials } from '../../../sidecar/remote/http/refuse-url-credentials';
import { messageOf } from '../fixtures/loopback-servers';

function refusal(url: string): DepotError {
  try {
    refuseUrlCredentials(url);
  } catch (error) {
    if (error instanceof DepotError) return error;
    throw error;
  }
  throw new Error(`${url} was not refused`);
}

describe('refuseUrlCredentials', () => {
  it.each([
    ['https://huggingface.co/org/repo/resolve/main/model.safetensors'],
    ['https://civitai.com/api/download/models/123?type=Model&format=SafeTensor'],
    // Presigned CDN and storage URLs: their signatures are the request's own, not a person's credential.
    ['https://cdn-lfs.hf.co/repos/a/b?Expires=1&Policy=abc&Signature=def&Key-Pair-Id=K1'],
    [
      'https://x.r2.cloudflarestorage.com/m/a.safetensors?X-Amz-Algorithm=A&X-Amz-Credential=c&X-Amz-Security-Token=t&X-Amz-Signature=s',
    ],
    ['https://storage.googleapis.com/b/o?X-Goog-Signature=s&X-Goog-Credential=c'],
  ])('lets %s through', (url) => {
    expect(() => refuseUrlCredentials(url)).not.toThrow();
  });

  it('refuses user info, saying to use the token settings, without the password', () => {
    const error = refusal('https://me:hunter2@huggingface.co/api/models/x');
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toBe(
      'https://huggingface.co/api/models/x carries a credential in user info (user:password@); model-depot does not send ' +
        'credentials taken from URLs. Remove it from the URL and give the token in the token settings instead (HF_TOKEN, ' +
        'CIVITAI_API_TOKEN, or the token dialog when a download asks for one).',
    );
  });

  it.each(['token', 'Token', 'access_token', 'api_key', 'apikey', 'hf_token', 'auth_token'])(
    'refuses a ?%s= parameter',
    (name) => {
      const error = refusal(`https://civitai.com/api/download/models/1?${name}=s3cr3tvalue&type=Model`);
      expect(error.code).toBe('BAD_INPUT');
      expect(error.message).toContain(`the "${name}" parameter`);
      expect(error.message).toContain(`${name}=REDACTED`);
      expect(messageOf(error)).not.toContain('s3cr3tvalue');
      expect(JSON.stringify(error.details)).not.toContain('s3cr3tvalue');
    },
  );

  it('refuses an HF token pasted as the value of any parameter', () => {
    const error = refusal('https://huggingface.co/api/models/x?q=hf_abcdefghijklmnopqrstuvwxyz012345');
    expect(error.message).toContain('the "q" parameter');
  });

  it('names every place a credential was found', () => {
    const error = refusal('https://a:b@civitai.com/api/download/models/1?token=x');
    expect(error.message).toContain('in user info (user:password@) and the "token" parameter;');
  });
});
