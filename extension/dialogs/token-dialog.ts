import type { AuthRequiredMessage } from '../../shared/protocol';
import { TOKEN_PAGES } from '../../shared/protocol';
import { createElement } from '../create-element';
import { openModalDialog } from './modal-dialog';
import { providerLabel } from '../jobs/provider-label';

export interface TokenDialogOptions {
  doc: Document;
  request: AuthRequiredMessage;
  /**
   * Called once with the typed token, after the field was cleared. The callee sends it and keeps no reference:
   * the token must not outlive that call (never a setting, storage, URL or log line).
   */
  onSubmit(token: string): void;
  /** Cancel or Escape: the waiting jobs of this provider are to be failed. */
  onCancel(): void;
}

export interface TokenDialog {
  element: HTMLElement;
  close(): void;
}

export const TOKEN_NOT_SAVED_TEXT = 'Used for this download only. Not saved.';

/**
 * Asks for a HuggingFace or Civitai token when a gated download needs one (`authRequired`). The field is a
 * password input with autocomplete off; the value is read once on Submit, the field cleared, and nothing here
 * keeps it.
 */
export function showTokenDialog(options: TokenDialogOptions): TokenDialog {
  const { doc, request } = options;
  const provider = providerLabel(request.provider);
  const inputId = `md-token-input-${request.provider}`;
  const input = createElement(doc, 'input', {
    className: 'md-input md-token-input',
    attrs: {
      id: inputId,
      type: 'password',
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
      name: `model-depot-${request.provider}-token`,
      // The protocol's limit for a token message.
      maxlength: '4096',
      'aria-describedby': 'md-token-note',
    },
  });
  const tokenUrl = request.tokenUrl || TOKEN_PAGES[request.provider];
  const links: (Node | string)[] = [
    createElement(doc, 'a', {
      className: 'md-link md-token-link',
      text: `Create a ${provider} token`,
      attrs: { href: tokenUrl, target: '_blank', rel: 'noopener noreferrer' },
    }),
  ];
  if (request.accessUrl) {
    links.push(
      ' · ',
      createElement(doc, 'a', {
        className: 'md-link md-access-link',
        text: request.reason === 'denied' ? 'Request access to the model' : 'Model page',
        attrs: { href: request.accessUrl, target: '_blank', rel: 'noopener noreferrer' },
      }),
    );
  }
  const explanation =
    request.reason === 'denied'
      ? `The ${provider} token given has no access to these models. Request access on the model page, or use another token.`
      : `${provider} needs a token to download these models.`;

  const body: (Node | null)[] = [
    createElement(doc, 'p', { className: 'md-token-explanation', text: explanation }),
    createElement(
      doc,
      'ul',
      { className: 'md-list md-token-models' },
      request.filenames.map((name) => createElement(doc, 'li', { className: 'md-item', text: name })),
    ),
    request.message ? createElement(doc, 'p', { className: 'md-note md-token-message', text: request.message }) : null,
    createElement(doc, 'p', { className: 'md-note' }, links),
    createElement(doc, 'div', { className: 'md-field' }, [
      createElement(doc, 'label', { text: `${provider} token`, attrs: { for: inputId } }),
      input,
      createElement(doc, 'span', {
        className: 'md-note md-token-note',
        text: TOKEN_NOT_SAVED_TEXT,
        attrs: { id: 'md-token-note' },
      }),
    ]),
  ];

  const cancelButton = createElement(doc, 'button', {
    className: 'md-button md-token-cancel',
    text: 'Cancel',
    attrs: { type: 'button' },
  });
  const submitButton = createElement(doc, 'button', {
    className: 'md-button md-button-primary md-token-submit',
    text: 'Use token',
    attrs: { type: 'button' },
  });
  submitButton.disabled = true;
  input.addEventListener('input', () => {
    submitButton.disabled = input.value.trim() === '';
  });

  let done = false;
  const submit = () => {
    if (done || input.value.trim() === '') return;
    done = true;
    // Read, clear, close, then hand over: after this function returns nothing in the dialog holds the token.
    const typed = input.value.trim();
    input.value = '';
    modal.close();
    options.onSubmit(typed);
  };
  const cancel = () => {
    if (done) return;
    done = true;
    input.value = '';
    modal.close();
    options.onCancel();
  };

  const modal = openModalDialog({
    doc,
    idPrefix: `md-token-${request.provider}`,
    title: `${provider} token needed`,
    body,
    footer: [cancelButton, submitButton],
    onDismiss: cancel,
    onEnter: submit,
    initialFocus: input,
  });
  modal.overlay.classList.add('md-token-dialog');
  cancelButton.addEventListener('click', cancel);
  submitButton.addEventListener('click', submit);

  return {
    element: modal.overlay,
    close() {
      input.value = '';
      done = true;
      modal.close();
    },
  };
}
