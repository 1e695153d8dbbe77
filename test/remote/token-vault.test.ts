import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTokenVault } from '../../sidecar/remote/token-vault';
import { ManualClock } from './fixtures/manual-clock';

const HF = 'hf_SecretTokenValue123';

describe('createTokenVault', () => {
  it('drops a token when the last job that used it ends', () => {
    const vault = createTokenVault({ clock: new ManualClock() });
    vault.put('huggingface', HF, { jobIds: ['j1', 'j2'] });
    vault.release(['j1']);
    expect(vault.get('huggingface')).toBe(HF);
    vault.release(['j2']);
    expect(vault.get('huggingface')).toBeUndefined();
  });

  it('drops a token after one hour even when its job never ends', async () => {
    const clock = new ManualClock();
    const vault = createTokenVault({ clock });
    vault.put('huggingface', HF, { jobIds: ['stuck'] });
    await clock.advance(59 * 60 * 1000);
    expect(vault.get('huggingface')).toBe(HF);
    await clock.advance(60 * 1000);
    expect(vault.get('huggingface')).toBeUndefined();
    expect(vault.size).toBe(0);
  });

  it("keeps one client's token away from another client's jobs", () => {
    const vault = createTokenVault({ clock: new ManualClock() });
    vault.put('civitai', 'civ_a', { clientId: 'tab-a' });
    expect(vault.get('civitai', { clientId: 'tab-a' })).toBe('civ_a');
    expect(vault.get('civitai', { clientId: 'tab-b' })).toBeUndefined();
    vault.attach('civitai', 'job-9', { clientId: 'tab-a' });
    vault.release(['job-9']);
    expect(vault.get('civitai', { clientId: 'tab-a' })).toBeUndefined();
  });

  it('falls back to the environment token, which no job ending removes', () => {
    const vault = createTokenVault({ clock: new ManualClock(), env: { huggingface: 'hf_fromEnv0000' } });
    expect(vault.get('huggingface')).toBe('hf_fromEnv0000');
    vault.put('huggingface', HF, { jobIds: ['j'] });
    expect(vault.get('huggingface')).toBe(HF);
    vault.release(['j']);
    expect(vault.get('huggingface')).toBe('hf_fromEnv0000');
  });

  it('never shows a token when serialized or inspected', () => {
    const vault = createTokenVault({ clock: new ManualClock(), env: { civitai: 'civ_envSecret' } });
    vault.put('huggingface', HF);
    expect(JSON.stringify(vault)).not.toMatch(/SecretTokenValue|envSecret/);
    expect(inspect(vault, { depth: 10, showHidden: true })).not.toMatch(/SecretTokenValue|envSecret/);
    expect(JSON.stringify({ vault })).not.toMatch(/SecretTokenValue/);
  });

  it('keeps no token given for no job, and leaves an older token of the same client to its jobs', () => {
    const vault = createTokenVault({ clock: new ManualClock() });
    vault.put('civitai', 'civ_late', { clientId: 'tab-a', jobIds: [] });
    expect(vault.size).toBe(0);
    expect(vault.get('civitai', { clientId: 'tab-a' })).toBeUndefined();

    vault.put('huggingface', HF, { clientId: 'tab-a', jobIds: ['j1'] });
    vault.put('huggingface', 'hf_StrayTokenNoJob000', { clientId: 'tab-a', jobIds: [] });
    expect(vault.get('huggingface', { clientId: 'tab-a' })).toBe(HF);
    vault.release(['j1']);
    expect(vault.size).toBe(0);
  });
});
