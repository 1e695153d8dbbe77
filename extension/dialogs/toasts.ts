import type { ComfyAppLike, ToastOptions } from '../comfyui/comfy-app-types';
import { createElement } from '../create-element';
import { injectStyles } from '../styles';

export interface ToasterOptions {
  app: ComfyAppLike;
  doc: Document;
  /** Timer for the fallback toasts (default: the window's). */
  setTimeout?: (callback: () => void, ms: number) => unknown;
}

export type Toast = (options: ToastOptions) => void;

/**
 * Toasts through ComfyUI's `extensionManager.toast`; on a frontend without it, a small
 * toast of our own, so a message is never lost.
 */
export function createToaster(options: ToasterOptions): Toast {
  const { app, doc } = options;
  const schedule = options.setTimeout ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  return (toast) => {
    const manager = app.extensionManager?.toast;
    if (manager) {
      manager.add(toast);
      return;
    }
    injectStyles(doc);
    let host = doc.querySelector<HTMLElement>('.md-toasts');
    if (!host) {
      host = createElement(doc, 'div', { className: 'md-root md-toasts', attrs: { 'aria-live': 'polite' } });
      doc.body.append(host);
    }
    const element = createElement(
      doc,
      'div',
      { className: 'md-toast', attrs: { 'data-severity': toast.severity, role: 'status' } },
      [
        createElement(doc, 'strong', { text: toast.summary }),
        toast.detail ? createElement(doc, 'div', { text: toast.detail }) : null,
      ],
    );
    host.append(element);
    schedule(() => element.remove(), toast.life ?? 8000);
  };
}
