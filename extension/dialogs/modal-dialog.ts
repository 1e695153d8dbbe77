import { createElement } from '../create-element';
import { injectStyles } from '../styles';

export interface ModalDialogOptions {
  doc: Document;
  /** Id prefix for aria-labelledby. */
  idPrefix: string;
  title: string;
  subtitle?: string;
  body: (Node | null)[];
  footer: (Node | null)[];
  /** Escape and a click on the backdrop: the same as the dialog's cancel button. */
  onDismiss(): void;
  /** Enter anywhere except on a button or link: the dialog's main action. */
  onEnter?(): void;
  /** The element focused when the dialog opens (default: the first focusable one). */
  initialFocus?: HTMLElement;
}

export interface ModalDialog {
  overlay: HTMLElement;
  dialog: HTMLElement;
  close(): void;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * The shell shared by the download prompt and the token dialog: a modal with a focus trap (Tab and Shift+Tab stay
 * inside), Escape to dismiss and Enter for the main action. Focus returns to where it was when it closes.
 */
export function openModalDialog(options: ModalDialogOptions): ModalDialog {
  const { doc } = options;
  injectStyles(doc);
  const titleId = `${options.idPrefix}-title`;
  const dialog = createElement(
    doc,
    'div',
    {
      className: 'md-dialog',
      attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, tabindex: '-1' },
    },
    [
      createElement(doc, 'div', { className: 'md-dialog-header' }, [
        createElement(doc, 'h2', { className: 'md-dialog-title', text: options.title, attrs: { id: titleId } }),
        options.subtitle ? createElement(doc, 'p', { className: 'md-dialog-subtitle', text: options.subtitle }) : null,
      ]),
      createElement(doc, 'div', { className: 'md-dialog-body' }, options.body),
      createElement(doc, 'div', { className: 'md-dialog-footer' }, options.footer),
    ],
  );
  const overlay = createElement(doc, 'div', { className: 'md-root md-overlay' }, [dialog]);
  const previouslyFocused = doc.activeElement instanceof HTMLElement ? doc.activeElement : null;
  let closed = false;

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      options.onDismiss();
    } else if (event.key === 'Enter' && options.onEnter) {
      const target = event.target;
      if (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement) return;
      event.preventDefault();
      event.stopPropagation();
      options.onEnter();
    } else if (event.key === 'Tab') {
      trapTab(event, dialog);
    }
    // ComfyUI binds canvas shortcuts on the document: keys typed in our dialog must not reach them.
    event.stopPropagation();
  };
  overlay.addEventListener('keydown', onKeyDown);
  overlay.addEventListener('mousedown', (event) => {
    if (event.target === overlay) options.onDismiss();
  });
  doc.body.append(overlay);
  (options.initialFocus ?? firstFocusable(dialog) ?? dialog).focus();

  return {
    overlay,
    dialog,
    close() {
      if (closed) return;
      closed = true;
      overlay.remove();
      if (previouslyFocused?.isConnected) previouslyFocused.focus();
    },
  };
}

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
}

function firstFocusable(root: HTMLElement): HTMLElement | undefined {
  return focusables(root)[0];
}

function trapTab(event: KeyboardEvent, root: HTMLElement): void {
  const list = focusables(root);
  if (list.length === 0) {
    event.preventDefault();
    return;
  }
  const first = list[0];
  const last = list[list.length - 1];
  const active = root.ownerDocument.activeElement;
  if (event.shiftKey && (active === first || !root.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !root.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}
