/**
 * The extension's CSS, built on ComfyUI's palette variables so the dialogs follow its light and dark themes
 * (the palette sets --comfy-menu-bg, --fg-color, --border-color, --comfy-input-bg on :root). The fallbacks only
 * matter outside ComfyUI (tests, a page without a palette) and follow the OS theme there.
 */
const STYLE_ELEMENT_ID = 'model-depot-styles';

const CSS = `
.md-root {
  --md-bg: var(--comfy-menu-bg, var(--md-fallback-bg));
  --md-fg: var(--fg-color, var(--md-fallback-fg));
  --md-border: var(--border-color, var(--md-fallback-border));
  --md-input-bg: var(--comfy-input-bg, var(--md-fallback-input));
  --md-primary: var(--p-primary-color, #3b82f6);
  --md-muted: var(--descrip-text, color-mix(in srgb, var(--md-fg) 65%, transparent));
  --md-danger: var(--error-text, #e5484d);
  --md-warn: #e5a50a;
  --md-ok: #30a46c;
  --md-fallback-bg: #202020; --md-fallback-fg: #e6e6e6; --md-fallback-border: #4e4e4e; --md-fallback-input: #2b2b2b;
  font-family: var(--p-font-family, system-ui, sans-serif);
  font-size: 14px;
  color: var(--md-fg);
  box-sizing: border-box;
}
@media (prefers-color-scheme: light) {
  .md-root { --md-fallback-bg: #f4f4f4; --md-fallback-fg: #222; --md-fallback-border: #c8c8c8; --md-fallback-input: #fff; }
}
.md-root *, .md-root *::before, .md-root *::after { box-sizing: inherit; }
.md-overlay {
  position: fixed; inset: 0; z-index: 10000; display: flex; align-items: center; justify-content: center;
  background: rgba(0, 0, 0, 0.55);
}
.md-dialog {
  background: var(--md-bg); border: 1px solid var(--md-border); border-radius: 8px;
  box-shadow: 0 12px 40px rgba(0, 0, 0, 0.45); width: min(640px, calc(100vw - 32px));
  max-height: calc(100vh - 48px); display: flex; flex-direction: column; outline: none;
}
.md-dialog-header { padding: 16px 20px 8px; }
.md-dialog-title { margin: 0; font-size: 17px; font-weight: 600; }
.md-dialog-subtitle { margin: 4px 0 0; color: var(--md-muted); }
.md-dialog-body { padding: 4px 20px 8px; overflow: auto; }
.md-dialog-footer {
  padding: 12px 20px 16px; display: flex; gap: 8px; justify-content: flex-end; align-items: center;
  border-top: 1px solid var(--md-border);
}
.md-section { margin: 12px 0 4px; }
.md-section-title {
  margin: 0 0 6px; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--md-muted);
}
.md-list { list-style: none; margin: 0; padding: 0; border: 1px solid var(--md-border); border-radius: 6px; }
.md-item { display: flex; gap: 12px; align-items: baseline; padding: 7px 10px; }
.md-item + .md-item { border-top: 1px solid var(--md-border); }
.md-item-name { flex: 1; min-width: 0; overflow-wrap: anywhere; }
.md-item-folder { color: var(--md-muted); font-size: 12px; }
.md-item-detail { display: block; color: var(--md-muted); font-size: 12px; overflow-wrap: anywhere; }
.md-item-size { white-space: nowrap; font-variant-numeric: tabular-nums; }
.md-badge {
  display: inline-block; margin-left: 6px; padding: 0 6px; border-radius: 9px; font-size: 11px; line-height: 18px;
  border: 1px solid var(--md-warn); color: var(--md-warn); white-space: nowrap;
}
.md-badge-saved { border-color: var(--md-ok); color: var(--md-ok); }
.md-pick-group { display: flex; flex-direction: column; gap: 4px; margin-top: 6px; }
.md-pick { display: flex; gap: 6px; align-items: baseline; cursor: pointer; font-size: 13px; overflow-wrap: anywhere; }
.md-pick-catalog { color: var(--md-muted); }
.md-totals { margin: 14px 0 4px; display: grid; grid-template-columns: auto 1fr; gap: 2px 16px; }
.md-totals dt { color: var(--md-muted); }
.md-totals dd { margin: 0; font-variant-numeric: tabular-nums; }
.md-warning {
  margin: 10px 0 0; padding: 8px 10px; border-radius: 6px; border: 1px solid var(--md-danger); color: var(--md-danger);
}
.md-note { margin: 8px 0 0; color: var(--md-muted); font-size: 12px; }
.md-button {
  font: inherit; padding: 7px 16px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--md-border); background: var(--md-input-bg); color: var(--md-fg);
}
.md-button:focus-visible, .md-input:focus-visible, .md-link:focus-visible {
  outline: 2px solid var(--md-primary); outline-offset: 2px;
}
.md-button-primary { background: var(--md-primary); border-color: var(--md-primary); color: #fff; }
.md-button:disabled { opacity: 0.5; cursor: default; }
.md-field { display: flex; flex-direction: column; gap: 6px; margin: 14px 0 0; }
.md-input {
  font: inherit; padding: 7px 10px; border-radius: 6px; border: 1px solid var(--md-border);
  background: var(--md-input-bg); color: var(--md-fg);
}
.md-link { color: var(--md-primary); }
.md-panel { padding: 8px 12px; height: 100%; overflow: auto; }
.md-panel-empty { color: var(--md-muted); padding: 8px 0; }
.md-panel-summary { margin: 0 0 4px; color: var(--md-muted); font-size: 12px; }
.md-job { display: grid; grid-template-columns: minmax(140px, 26%) minmax(120px, 1fr) 200px; gap: 4px 12px;
  align-items: center; padding: 6px 0; border-bottom: 1px solid var(--md-border); }
.md-job-side { display: flex; justify-content: flex-end; align-items: center; gap: 8px; }
.md-job-name { overflow-wrap: anywhere; }
.md-job-stats { grid-column: 2; color: var(--md-muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.md-job-error { grid-column: 1 / -1; color: var(--md-danger); font-size: 12px; }
.md-bar { height: 8px; border-radius: 4px; background: var(--md-input-bg); border: 1px solid var(--md-border);
  overflow: hidden; }
.md-bar-fill { height: 100%; width: 0; background: var(--md-primary); transition: width 0.2s linear; }
.md-job[data-state='complete'] .md-bar-fill, .md-job[data-state='linked'] .md-bar-fill,
.md-job[data-state='exists'] .md-bar-fill { background: var(--md-ok); }
.md-job[data-state='failed'] .md-bar-fill, .md-job[data-state='cancelled'] .md-bar-fill { background: var(--md-danger); }
.md-job-state { white-space: nowrap; font-size: 12px; }
.md-job-cancel { padding: 2px 10px; font-size: 12px; }
.md-toasts { position: fixed; right: 16px; bottom: 16px; z-index: 10001; display: flex; flex-direction: column; gap: 8px; }
.md-toast { background: var(--md-bg); border: 1px solid var(--md-border); border-left: 4px solid var(--md-primary);
  border-radius: 6px; padding: 8px 12px; max-width: 380px; }
.md-toast[data-severity='error'] { border-left-color: var(--md-danger); }
.md-toast[data-severity='warn'] { border-left-color: var(--md-warn); }
.md-toast[data-severity='success'] { border-left-color: var(--md-ok); }
`;

/** Adds the stylesheet to the document once (the element id is the guard, so no module state is needed). */
export function injectStyles(doc: Document): void {
  if (doc.getElementById(STYLE_ELEMENT_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ELEMENT_ID;
  style.textContent = CSS;
  doc.head.append(style);
}
