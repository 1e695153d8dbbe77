// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { needsPrompt, showDownloadPrompt } from '../../../extension/dialogs/download-prompt';
import { allPresentResult, sampleCheckResult } from '../fixtures';

afterEach(() => {
  document.body.replaceChildren();
});

function open(result = sampleCheckResult()) {
  const onDownload = vi.fn();
  const onDismiss = vi.fn();
  const prompt = showDownloadPrompt({ doc: document, result, onDownload, onDismiss });
  const dialog = document.querySelector<HTMLElement>('[role="dialog"]');
  if (!dialog) throw new Error('no dialog rendered');
  return { prompt, dialog, onDownload, onDismiss };
}

const texts = (root: ParentNode, selector: string) =>
  [...root.querySelectorAll(selector)].map((el) => el.textContent ?? '');

describe('showDownloadPrompt', () => {
  it('lists the models to download with sizes and marks the ones needing a token', () => {
    const { dialog } = open();
    const rows = dialog.querySelectorAll('[data-status="missing"]');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('flux1-dev.safetensors');
    expect(rows[0].textContent).toContain('2.0 GB');
    expect(rows[0].querySelector('.md-badge-token')?.textContent).toBe('Hugging Face token needed');
    expect(rows[1].textContent).toContain('detail.safetensors');
    expect(rows[1].textContent).toContain('150 MB');
    expect(rows[1].querySelector('.md-badge-token')).toBeNull();
  });

  it('shows the linked model, where it comes from and the bytes saved', () => {
    const { dialog } = open();
    const row = dialog.querySelector('[data-status="linkable"]');
    expect(row?.textContent).toContain('SDXL Base 1.0');
    expect(row?.querySelector('.md-item-source')?.textContent).toBe('from /data/hub/sdxl-base-v1.safetensors');
    expect(row?.querySelector('.md-badge-saved')?.textContent).toBe('6.9 GB saved');
  });

  it('shows the models already there and the ones that cannot be fetched with the reason', () => {
    const { dialog } = open();
    expect(texts(dialog, '[data-status="present"] .md-item-label')).toEqual(['sdxl_vae.safetensors']);
    expect(dialog.querySelector('[data-status="unavailable"]')?.textContent).toContain('the workflow gives no URL');
  });

  it('totals the download, the space saved and the free space', () => {
    const { dialog } = open();
    expect(dialog.querySelector('.md-total-download')?.textContent).toBe('2.1 GB');
    expect(dialog.querySelector('.md-total-saved')?.textContent).toBe('6.9 GB saved');
    expect(dialog.querySelector('.md-free-space')?.textContent).toBe('120 GB');
    expect(dialog.querySelector('.md-warning')).toBeNull();
    expect(dialog.querySelector('.md-dialog-subtitle')?.textContent).toBe(
      '2 to download, 1 to link, 1 not available, 1 already there',
    );
  });

  it('warns when the download does not fit in the free space', () => {
    const { dialog } = open(sampleCheckResult({ freeBytes: 1_000_000_000, fits: false }));
    expect(dialog.querySelector('.md-warning')?.textContent).toBe(
      'Not enough free space: 2.1 GB to download, 1.0 GB free. Free some space before downloading.',
    );
  });

  it('Download hands over the missing and linkable requirements and closes', () => {
    const { dialog, onDownload, onDismiss } = open();
    dialog.querySelector<HTMLButtonElement>('.md-download')?.click();
    expect(onDownload).toHaveBeenCalledTimes(1);
    expect(onDownload.mock.calls[0][0].map((r: { filename: string }) => r.filename)).toEqual([
      'sd_xl_base_1.0.safetensors',
      'flux1-dev.safetensors',
      'detail.safetensors',
    ]);
    expect(onDismiss).not.toHaveBeenCalled();
    expect(document.querySelector('[role="dialog"]')).toBeNull();
  });

  it('is keyboard usable: focus starts on Download, Enter downloads, Escape dismisses', () => {
    const first = open();
    expect(document.activeElement).toBe(first.dialog.querySelector('.md-download'));
    first.dialog
      .querySelector<HTMLElement>('.md-dialog-body')
      ?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(first.onDownload).toHaveBeenCalledTimes(1);

    const second = open();
    second.dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(second.onDismiss).toHaveBeenCalledTimes(1);
    expect(second.onDownload).not.toHaveBeenCalled();
    expect(document.querySelector('[role="dialog"]')).toBeNull();
  });

  it('keeps Tab inside the dialog', () => {
    const { dialog } = open();
    const download = dialog.querySelector<HTMLElement>('.md-download');
    download?.focus();
    download?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true }));
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(document.activeElement).not.toBe(download);
  });

  it('mentions workflow entries that could not be read', () => {
    const result = sampleCheckResult();
    result.invalid = [{ path: 'nodes[3].properties.models[0]', message: 'folder "foo" is not a model folder name' }];
    const { dialog } = open(result);
    expect(dialog.querySelector('.md-invalid')?.textContent).toBe(
      '1 entry of the workflow could not be read (nodes[3].properties.models[0]: folder "foo" is not a model folder name).',
    );
  });

  it('offers only Close when nothing can be fetched', () => {
    const result = sampleCheckResult();
    result.items = result.items.filter((item) => item.status === 'unavailable' || item.status === 'present');
    const { dialog, onDismiss } = open(result);
    expect(dialog.querySelector('.md-download')).toBeNull();
    const close = dialog.querySelector<HTMLButtonElement>('.md-dismiss');
    expect(close?.textContent).toBe('Close');
    close?.click();
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });

  it('says nothing when everything is present', () => {
    expect(needsPrompt(allPresentResult())).toBe(false);
    expect(needsPrompt(sampleCheckResult())).toBe(true);
  });

  it('renders file names as text, never as markup', () => {
    const result = sampleCheckResult();
    result.items[1].requirement.filename = '<img src=x onerror=alert(1)>.safetensors';
    const { dialog } = open(result);
    expect(dialog.querySelector('img')).toBeNull();
    expect(dialog.textContent).toContain('<img src=x onerror=alert(1)>.safetensors');
  });
});

describe('showDownloadPrompt with catalog candidates', () => {
  const CANDIDATES = [
    {
      url: 'https://huggingface.co/org-a/upscalers/resolve/main/4x_foolhardy.pth',
      catalog: 'comfyui-manager',
      path: 'upscale_models/4x_foolhardy.pth',
      sha256: 'c'.repeat(64),
      name: '4x Foolhardy (A)',
    },
    {
      url: 'https://civitai.com/api/download/models/777?type=Model',
      catalog: 'team-list',
      path: 'upscale_models/4x_foolhardy.pth',
    },
  ];

  /** The sample answer plus a model two catalog entries match, which the check leaves unavailable. */
  function withCandidates(others = true) {
    const result = sampleCheckResult();
    if (!others) result.items = result.items.filter((item) => item.status === 'present');
    result.items.push({
      requirement: {
        category: 'upscale_models',
        filename: '4x_foolhardy.pth',
        urls: [],
        required: true,
        origin: 'widget',
      },
      status: 'unavailable',
      code: 'NOT_FOUND',
      targetPath: 'upscale_models/4x_foolhardy.pth',
      needsToken: false,
      reason: '2 catalog entries match; pick one.',
      candidates: CANDIDATES,
    });
    return result;
  }

  const radios = (dialog: HTMLElement) => [...dialog.querySelectorAll<HTMLInputElement>('input[type="radio"]')];

  it('offers each candidate with its URL host and path and its catalog, and "Don\'t download" checked', () => {
    const { dialog } = open(withCandidates());
    const row = dialog.querySelector('[data-status="choose"]');
    expect(row?.textContent).toContain('4x_foolhardy.pth');
    expect(texts(dialog, '.md-choose .md-pick')).toEqual([
      '4x Foolhardy (A) huggingface.co/org-a/upscalers/resolve/main/4x_foolhardy.pth (comfyui-manager)',
      'civitai.com/api/download/models/777 (team-list)',
      "Don't download",
    ]);
    expect(radios(dialog).map((r) => r.checked)).toEqual([false, false, true]);
    expect(dialog.querySelector('[role="radiogroup"]')?.getAttribute('aria-label')).toBe('Source of 4x_foolhardy.pth');
    // Not listed again among the models that cannot be fetched.
    expect(dialog.querySelector('.md-blocked')?.textContent).not.toContain('4x_foolhardy.pth');
    expect(dialog.querySelector('.md-dialog-subtitle')?.textContent).toBe(
      '2 to download, 1 to choose, 1 to link, 1 not available, 1 already there',
    );
  });

  it('downloads nothing for it until a candidate is chosen', () => {
    const { dialog, onDownload } = open(withCandidates());
    dialog.querySelector<HTMLButtonElement>('.md-download')?.click();
    const names = onDownload.mock.calls[0][0].map((r: { filename: string }) => r.filename);
    expect(names).not.toContain('4x_foolhardy.pth');
    expect(names).toHaveLength(3);
  });

  it('hands over the chosen candidate as the requirement URL, with the catalog SHA-256', () => {
    const { dialog, onDownload } = open(withCandidates());
    radios(dialog)[0].click();
    dialog.querySelector<HTMLButtonElement>('.md-download')?.click();
    const picked = onDownload.mock.calls[0][0].find((r: { filename: string }) => r.filename === '4x_foolhardy.pth');
    expect(picked).toMatchObject({
      category: 'upscale_models',
      urls: [CANDIDATES[0].url],
      sha256: CANDIDATES[0].sha256,
    });
  });

  it('with nothing else to do, Download waits for a choice, and Enter does nothing until then', () => {
    const { dialog, onDownload } = open(withCandidates(false));
    const download = dialog.querySelector<HTMLButtonElement>('.md-download');
    expect(download?.disabled).toBe(true);
    expect(document.activeElement).toBe(radios(dialog)[0]);
    dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(onDownload).not.toHaveBeenCalled();
    radios(dialog)[1].click();
    expect(download?.disabled).toBe(false);
    download?.click();
    expect(onDownload.mock.calls[0][0]).toMatchObject([{ filename: '4x_foolhardy.pth', urls: [CANDIDATES[1].url] }]);
    expect(onDownload.mock.calls[0][0][0].sha256).toBeUndefined();
  });
});
