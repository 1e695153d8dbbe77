// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_NOT_SAVED_TEXT, showTokenDialog } from '../../../extension/dialogs/token-dialog';
import { sampleAuthRequired } from '../fixtures';

afterEach(() => {
  document.body.replaceChildren();
});

function open(request = sampleAuthRequired()) {
  const onSubmit = vi.fn();
  const onCancel = vi.fn();
  showTokenDialog({ doc: document, request, onSubmit, onCancel });
  const dialog = document.querySelector<HTMLElement>('[role="dialog"]');
  const input = dialog?.querySelector<HTMLInputElement>('input');
  if (!dialog || !input) throw new Error('no token dialog rendered');
  return { dialog, input, onSubmit, onCancel };
}

function type(input: HTMLInputElement, text: string) {
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('showTokenDialog', () => {
  it('asks for the token in a password field with autocomplete off', () => {
    const { input } = open();
    expect(input.type).toBe('password');
    expect(input.getAttribute('autocomplete')).toBe('off');
    expect(document.activeElement).toBe(input);
  });

  it('names the provider and the models, links to the token page and says the token is not saved', () => {
    const { dialog } = open();
    expect(dialog.querySelector('.md-dialog-title')?.textContent).toBe('Hugging Face token needed');
    expect(dialog.querySelector('.md-token-models')?.textContent).toContain('flux1-dev.safetensors');
    expect(dialog.querySelector<HTMLAnchorElement>('.md-token-link')?.href).toBe(
      'https://huggingface.co/settings/tokens',
    );
    expect(dialog.querySelector('.md-token-note')?.textContent).toBe('Used for this download only. Not saved.');
    expect(TOKEN_NOT_SAVED_TEXT).toBe('Used for this download only. Not saved.');
  });

  it('links to the access page when the token was denied (403)', () => {
    const { dialog } = open(sampleAuthRequired({ reason: 'denied' }));
    const access = dialog.querySelector<HTMLAnchorElement>('.md-access-link');
    expect(access?.textContent).toBe('Request access to the model');
    expect(access?.href).toBe('https://huggingface.co/black-forest-labs/FLUX.1-dev');
    expect(dialog.querySelector('.md-token-explanation')?.textContent).toContain('has no access');
  });

  it('uses the Civitai token page for Civitai', () => {
    const { dialog } = open(
      sampleAuthRequired({ provider: 'civitai', tokenUrl: 'https://civitai.com/user/account', accessUrl: undefined }),
    );
    expect(dialog.querySelector('.md-dialog-title')?.textContent).toBe('Civitai token needed');
    expect(dialog.querySelector<HTMLAnchorElement>('.md-token-link')?.href).toBe('https://civitai.com/user/account');
  });

  it('submit hands the token over once, after clearing the field, and closes', () => {
    const { dialog, input, onSubmit, onCancel } = open();
    const submit = dialog.querySelector<HTMLButtonElement>('.md-token-submit');
    expect(submit?.disabled).toBe(true);
    type(input, '  hf_secret123  ');
    expect(submit?.disabled).toBe(false);
    let fieldWhenSubmitted: string | undefined;
    onSubmit.mockImplementation(() => {
      fieldWhenSubmitted = input.value;
    });
    submit?.click();
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit).toHaveBeenCalledWith('hf_secret123');
    expect(fieldWhenSubmitted).toBe('');
    expect(input.value).toBe('');
    expect(onCancel).not.toHaveBeenCalled();
    expect(document.querySelector('[role="dialog"]')).toBeNull();
    expect(document.body.innerHTML).not.toContain('hf_secret123');
  });

  it('Enter in the field submits; an empty field does nothing', () => {
    const { input, onSubmit } = open();
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(onSubmit).not.toHaveBeenCalled();
    type(input, 'civ_abc');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(onSubmit).toHaveBeenCalledWith('civ_abc');
  });

  it('Cancel and Escape cancel, clearing whatever was typed', () => {
    const first = open();
    type(first.input, 'half-typed');
    first.dialog.querySelector<HTMLButtonElement>('.md-token-cancel')?.click();
    expect(first.onCancel).toHaveBeenCalledTimes(1);
    expect(first.onSubmit).not.toHaveBeenCalled();
    expect(first.input.value).toBe('');

    const second = open();
    second.input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(second.onCancel).toHaveBeenCalledTimes(1);
  });
});
