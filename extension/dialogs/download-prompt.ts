import type { CheckItem, CheckResult } from '../../shared/check-result';
import type { Requirement } from '../../shared/requirement';
import { formatBytes } from '../../shared/format-bytes';
import { createElement } from '../create-element';
import { openModalDialog } from './modal-dialog';
import { providerLabel } from '../jobs/provider-label';

export interface DownloadPromptOptions {
  doc: Document;
  result: CheckResult;
  /** The user chose Download: the requirements to link and download (missing + linkable). */
  onDownload(items: Requirement[]): void;
  /** Not now, Escape or a click outside. */
  onDismiss(): void;
}

export interface DownloadPrompt {
  element: HTMLElement;
  close(): void;
}

/** True when the prompt has something to say: anything not already present. */
export function needsPrompt(result: CheckResult): boolean {
  return result.items.some((item) => item.status !== 'present');
}

/**
 * The prompt shown when a workflow needs models: what will be downloaded (sizes, token needed), what will be
 * linked from where (and the bytes that saves), what is already there, what cannot be had, the total download
 * against the free space. Enter = Download, Escape = Not now.
 */
export function showDownloadPrompt(options: DownloadPromptOptions): DownloadPrompt {
  const { doc, result } = options;
  const { summary } = result;
  const byStatus = (status: CheckItem['status']) => result.items.filter((item) => item.status === status);
  const missing = byStatus('missing');
  const linkable = byStatus('linkable');
  const present = byStatus('present');
  const blocked = result.items.filter((item) => item.status === 'conflict' || item.status === 'unavailable');
  const actionable = [...linkable, ...missing];

  const body: Node[] = [];
  if (missing.length > 0) {
    body.push(
      section(
        doc,
        'md-missing',
        `To download (${missing.length})`,
        missing.map((item) => missingRow(doc, item)),
      ),
    );
  }
  if (linkable.length > 0) {
    body.push(
      section(
        doc,
        'md-linkable',
        `Will be linked (${linkable.length})`,
        linkable.map((item) => linkRow(doc, item)),
      ),
    );
  }
  if (blocked.length > 0) {
    body.push(
      section(
        doc,
        'md-blocked',
        `Cannot be fetched (${blocked.length})`,
        blocked.map((item) => blockedRow(doc, item)),
      ),
    );
  }
  if (present.length > 0) {
    body.push(
      section(
        doc,
        'md-present',
        `Already there (${present.length})`,
        present.map((item) => presentRow(doc, item)),
      ),
    );
  }
  body.push(totals(doc, result));
  if (!summary.fits) {
    body.push(
      createElement(doc, 'p', {
        className: 'md-warning',
        text:
          `Not enough free space: ${formatBytes(summary.bytesToDownload)} to download, ` +
          `${formatBytes(summary.freeBytes)} free. Free some space before downloading.`,
        attrs: { role: 'alert' },
      }),
    );
  }
  if (result.invalid.length > 0) {
    const first = result.invalid[0];
    body.push(
      createElement(doc, 'p', {
        className: 'md-note md-invalid',
        text:
          `${result.invalid.length} entr${result.invalid.length === 1 ? 'y' : 'ies'} of the workflow could not be read ` +
          `(${first.path}: ${first.message}${result.invalid.length > 1 ? '; …' : ''}).`,
      }),
    );
  }
  if (missing.some(needsToken)) {
    body.push(
      createElement(doc, 'p', {
        className: 'md-note',
        text: 'Models marked "token needed" are gated: you will be asked for a token when their download starts.',
      }),
    );
  }

  const dismissButton = createElement(doc, 'button', {
    className: 'md-button md-dismiss',
    text: actionable.length > 0 ? 'Not now' : 'Close',
    attrs: { type: 'button' },
  });
  const downloadButton =
    actionable.length > 0
      ? createElement(doc, 'button', {
          className: 'md-button md-button-primary md-download',
          text: 'Download',
          attrs: { type: 'button' },
        })
      : null;

  let done = false;
  const finish = (download: boolean) => {
    if (done) return;
    done = true;
    modal.close();
    if (download) options.onDownload(actionable.map((item) => item.requirement));
    else options.onDismiss();
  };

  const modal = openModalDialog({
    doc,
    idPrefix: 'md-download-prompt',
    title: `This workflow needs ${result.items.length} model${result.items.length === 1 ? '' : 's'}`,
    subtitle: subtitle(missing.length, linkable.length, present.length, blocked.length),
    body,
    footer: [dismissButton, downloadButton],
    onDismiss: () => finish(false),
    onEnter: downloadButton ? () => finish(true) : () => finish(false),
    initialFocus: downloadButton ?? dismissButton,
  });
  modal.overlay.classList.add('md-download-prompt');
  dismissButton.addEventListener('click', () => finish(false));
  downloadButton?.addEventListener('click', () => finish(true));

  return { element: modal.overlay, close: () => modal.close() };
}

function needsToken(item: CheckItem): boolean {
  return item.needsToken || item.requirement.requiresAuth === true;
}

function subtitle(missing: number, linkable: number, present: number, blocked: number): string {
  const parts: string[] = [];
  if (missing > 0) parts.push(`${missing} to download`);
  if (linkable > 0) parts.push(`${linkable} to link`);
  if (blocked > 0) parts.push(`${blocked} not available`);
  if (present > 0) parts.push(`${present} already there`);
  return parts.join(', ');
}

function section(doc: Document, className: string, title: string, rows: HTMLElement[]): HTMLElement {
  return createElement(doc, 'section', { className: `md-section ${className}` }, [
    createElement(doc, 'h3', { className: 'md-section-title', text: title }),
    createElement(doc, 'ul', { className: 'md-list' }, rows),
  ]);
}

function nameCell(doc: Document, item: CheckItem, extra: Node[] = []): HTMLElement {
  const { requirement } = item;
  return createElement(doc, 'span', { className: 'md-item-name' }, [
    createElement(doc, 'span', { className: 'md-item-label', text: requirement.displayName ?? requirement.filename }),
    ' ',
    createElement(doc, 'span', { className: 'md-item-folder', text: item.targetPath }),
    ...extra,
  ]);
}

function sizeOf(item: CheckItem): number | undefined {
  return item.size ?? item.requirement.size;
}

function sizeCell(doc: Document, bytes: number | undefined): HTMLElement {
  return createElement(doc, 'span', {
    className: 'md-item-size',
    text: bytes === undefined ? 'size unknown' : formatBytes(bytes),
  });
}

function missingRow(doc: Document, item: CheckItem): HTMLElement {
  const badges: Node[] = [];
  if (needsToken(item)) {
    const who = item.provider ? `${providerLabel(item.provider)} token needed` : 'token needed';
    badges.push(createElement(doc, 'span', { className: 'md-badge md-badge-token', text: who }));
  }
  return createElement(doc, 'li', { className: 'md-item', attrs: { 'data-status': 'missing' } }, [
    nameCell(doc, item, badges),
    sizeCell(doc, sizeOf(item)),
  ]);
}

function linkRow(doc: Document, item: CheckItem): HTMLElement {
  const size = sizeOf(item);
  const detail = item.source ? `from ${item.source.path}` : 'from a copy already on disk';
  return createElement(doc, 'li', { className: 'md-item', attrs: { 'data-status': 'linkable' } }, [
    nameCell(doc, item, [createElement(doc, 'span', { className: 'md-item-detail md-item-source', text: detail })]),
    createElement(doc, 'span', {
      className: 'md-badge md-badge-saved',
      text: size === undefined ? 'saved' : `${formatBytes(size)} saved`,
    }),
  ]);
}

function blockedRow(doc: Document, item: CheckItem): HTMLElement {
  const fallback = item.status === 'conflict' ? 'another file has this name' : 'no download address';
  return createElement(doc, 'li', { className: 'md-item', attrs: { 'data-status': item.status } }, [
    nameCell(doc, item, [createElement(doc, 'span', { className: 'md-item-detail', text: item.reason ?? fallback })]),
    sizeCell(doc, sizeOf(item)),
  ]);
}

function presentRow(doc: Document, item: CheckItem): HTMLElement {
  return createElement(doc, 'li', { className: 'md-item', attrs: { 'data-status': 'present' } }, [
    nameCell(doc, item),
    sizeCell(doc, sizeOf(item)),
  ]);
}

function totals(doc: Document, result: CheckResult): HTMLElement {
  const { summary } = result;
  const rows: Node[] = [
    createElement(doc, 'dt', { text: 'Total download' }),
    createElement(doc, 'dd', { className: 'md-total-download', text: formatBytes(summary.bytesToDownload) }),
  ];
  if (summary.bytesSavedByLinking > 0) {
    rows.push(
      createElement(doc, 'dt', { text: 'Saved by linking' }),
      createElement(doc, 'dd', {
        className: 'md-total-saved',
        text: `${formatBytes(summary.bytesSavedByLinking)} saved`,
      }),
    );
  }
  rows.push(
    createElement(doc, 'dt', { text: 'Free space' }),
    createElement(doc, 'dd', { className: 'md-free-space', text: formatBytes(summary.freeBytes) }),
  );
  return createElement(doc, 'dl', { className: 'md-totals' }, rows);
}
