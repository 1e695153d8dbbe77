import type { CheckItem, CheckResult } from '../../shared/check-result';
import type { Requirement } from '../../shared/requirement';
import { formatBytes } from '../../shared/format-bytes';
import { createElement } from '../create-element';
import { openModalDialog } from './modal-dialog';
import { providerLabel } from '../jobs/provider-label';

export interface DownloadPromptOptions {
  doc: Document;
  result: CheckResult;
  /**
   * The user chose Download: the requirements to link and download (missing + linkable, and each model with catalog
   * candidates that the user chose one for, carrying the chosen URL as the sidecar's pick does).
   */
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
  const choosable = result.items.filter(hasChoice);
  const blocked = result.items.filter(
    (item) => (item.status === 'conflict' || item.status === 'unavailable') && !hasChoice(item),
  );
  const actionable = [...linkable, ...missing];
  const choices = choosable.map((item, index) => candidateChoice(doc, item, index));

  const sections: [className: string, title: string, rows: HTMLElement[]][] = [
    ['md-missing', 'To download', missing.map((item) => missingRow(doc, item))],
    ['md-choose', 'Choose a source', choices.map((choice) => choice.row)],
    ['md-linkable', 'Will be linked', linkable.map((item) => linkRow(doc, item))],
    ['md-blocked', 'Cannot be fetched', blocked.map((item) => blockedRow(doc, item))],
    ['md-present', 'Already there', present.map((item) => presentRow(doc, item))],
  ];
  const body: Node[] = sections
    .filter(([, , rows]) => rows.length > 0)
    .map(([className, title, rows]) => section(doc, className, `${title} (${rows.length})`, rows));
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

  const canDownload = actionable.length > 0 || choosable.length > 0;
  const dismissButton = createElement(doc, 'button', {
    className: 'md-button md-dismiss',
    text: canDownload ? 'Not now' : 'Close',
    attrs: { type: 'button' },
  });
  const downloadButton = canDownload
    ? createElement(doc, 'button', {
        className: 'md-button md-button-primary md-download',
        text: 'Download',
        attrs: { type: 'button' },
      })
    : null;

  const chosen = () => [
    ...actionable.map((item) => item.requirement),
    ...choices.flatMap((choice) => choice.requirement() ?? []),
  ];
  // Nothing is downloaded for a model with candidates until one is chosen: with nothing else to do, Download waits.
  const updateDownload = () => {
    if (downloadButton) downloadButton.disabled = chosen().length === 0;
  };
  for (const choice of choices) choice.row.addEventListener('change', updateDownload);
  updateDownload();

  let done = false;
  const finish = (download: boolean) => {
    if (done) return;
    if (download && downloadButton?.disabled) return;
    done = true;
    modal.close();
    if (download) options.onDownload(chosen());
    else options.onDismiss();
  };

  const modal = openModalDialog({
    doc,
    idPrefix: 'md-download-prompt',
    title: `This workflow needs ${result.items.length} model${result.items.length === 1 ? '' : 's'}`,
    subtitle: subtitle(missing.length, linkable.length, present.length, blocked.length, choosable.length),
    body,
    footer: [dismissButton, downloadButton],
    onDismiss: () => finish(false),
    onEnter: downloadButton ? () => finish(true) : () => finish(false),
    initialFocus: (downloadButton?.disabled ? choices[0]?.firstInput : downloadButton) ?? dismissButton,
  });
  modal.overlay.classList.add('md-download-prompt');
  dismissButton.addEventListener('click', () => finish(false));
  downloadButton?.addEventListener('click', () => finish(true));

  return { element: modal.overlay, close: () => modal.close() };
}

function needsToken(item: CheckItem): boolean {
  return item.needsToken || item.requirement.requiresAuth === true;
}

function subtitle(missing: number, linkable: number, present: number, blocked: number, choose: number): string {
  const parts: string[] = [];
  if (missing > 0) parts.push(`${missing} to download`);
  if (choose > 0) parts.push(`${choose} to choose`);
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

type Candidate = NonNullable<CheckItem['candidates']>[number];

/** Several catalog entries match a model the workflow names without a URL: the person picks one. */
function hasChoice(item: CheckItem): boolean {
  return item.status === 'unavailable' && (item.candidates?.length ?? 0) > 1;
}

interface CandidateChoice {
  row: HTMLElement;
  firstInput: HTMLInputElement | undefined;
  /** The requirement with the chosen candidate's URL (and its SHA-256 when the workflow gives none), or none. */
  requirement(): Requirement | undefined;
}

/** One radio per candidate (host and path of its URL, the catalog's name), and "Don't download", checked at first. */
function candidateChoice(doc: Document, item: CheckItem, index: number): CandidateChoice {
  const candidates = item.candidates ?? [];
  const name = `md-pick-${index}`;
  const option = (value: string, label: (Node | string)[], checked: boolean) => {
    const input = createElement(doc, 'input', {
      className: 'md-pick-input',
      attrs: { type: 'radio', name, value },
    });
    input.checked = checked;
    return { input, label: createElement(doc, 'label', { className: 'md-pick' }, [input, ...label]) };
  };
  const options = candidates.map((candidate, i) => option(String(i + 1), candidateLabel(doc, candidate), false));
  const skip = option('', [createElement(doc, 'span', { text: "Don't download" })], true);
  const group = createElement(
    doc,
    'div',
    {
      className: 'md-pick-group',
      attrs: { role: 'radiogroup', 'aria-label': `Source of ${item.requirement.filename}` },
    },
    [...options.map((o) => o.label), skip.label],
  );
  const row = createElement(doc, 'li', { className: 'md-item md-item-choose', attrs: { 'data-status': 'choose' } }, [
    nameCell(doc, item, [
      createElement(doc, 'span', {
        className: 'md-item-detail',
        text: `${candidates.length} catalog entries match this name; choose the one the workflow means.`,
      }),
      group,
    ]),
  ]);
  return {
    row,
    firstInput: options[0]?.input,
    requirement() {
      const picked = options.findIndex((o) => o.input.checked);
      const candidate = candidates[picked];
      if (candidate === undefined) return undefined;
      const { requirement } = item;
      return {
        ...requirement,
        urls: [candidate.url],
        // The catalog's hash verifies the download; the workflow's own wins.
        ...(requirement.sha256 === undefined && candidate.sha256 !== undefined && { sha256: candidate.sha256 }),
      };
    },
  };
}

function candidateLabel(doc: Document, candidate: Candidate): (Node | string)[] {
  const where = urlHostAndPath(candidate.url);
  return [
    ...(candidate.name ? [createElement(doc, 'span', { className: 'md-pick-name', text: candidate.name }), ' '] : []),
    createElement(doc, 'span', { className: 'md-pick-url', text: where }),
    ' ',
    createElement(doc, 'span', { className: 'md-pick-catalog', text: `(${candidate.catalog})` }),
  ];
}

/** `huggingface.co/org/repo/resolve/main/x.safetensors`: where the bytes come from, without scheme or query. */
function urlHostAndPath(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`;
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
