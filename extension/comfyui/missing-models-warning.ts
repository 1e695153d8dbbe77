import { z } from 'zod';
import type { StorageLike } from '../answered-workflows';
import type { ComfySettingStore } from './comfy-app-types';

/** ComfyUI's own setting for its missing-models warning (dialog, or Errors tab in newer frontends). */
export const MISSING_MODELS_WARNING_SETTING = 'Comfy.Workflow.ShowMissingModelsWarning';

const STORAGE_KEY = 'model-depot.missing-models-warning';

/** What is kept while our value is in place: the user's own value (null: never set, ComfyUI's default, shown). */
const zSavedChoice = z.object({ userValue: z.boolean().nullable() });

export interface MissingModelsWarningOptions {
  /** ComfyUI's settings (`extensionManager.setting`); without `set` nothing is ever changed. */
  settings: ComfySettingStore | undefined;
  /**
   * Keeps the user's own value while ours is in place (`localStorage`), so a page closed meanwhile gives it back
   * at its next start. Default none: it is given back only by this page.
   */
  storage?: StorageLike | null;
}

export interface MissingModelsWarning {
  /** The sidecar answers: our prompt replaces ComfyUI's warning, which is turned off until `restore`. */
  suppress(): void;
  /** The sidecar is gone or the extension stops: the user's own value comes back. */
  restore(): void;
}

/**
 * Turns ComfyUI's missing-models warning off while the sidecar answers, since our prompt covers the same models with
 * a download button, and gives the user's own value back afterwards. The frontend has no per-load switch an
 * extension can reach, and settings are stored on ComfyUI's server, so the user's value is also kept in storage and
 * put back first thing at the next start: our `false` is never left standing as if it were the user's choice. A
 * user who had turned the warning off already keeps it off, and nothing is restored for them.
 */
export function createMissingModelsWarning(options: MissingModelsWarningOptions): MissingModelsWarning {
  const { settings, storage } = options;
  let saved: { userValue: boolean | null } | undefined;

  const forget = () => {
    storage?.setItem(STORAGE_KEY, '');
  };

  const giveBack = (choice: { userValue: boolean | null }) => {
    // Changed meanwhile (by the user, or by another page giving it back): theirs stands.
    if (settings?.get(MISSING_MODELS_WARNING_SETTING) !== false) return;
    settings?.set?.(MISSING_MODELS_WARNING_SETTING, choice.userValue ?? true);
  };

  // A page that ended while our value was in place left the user's value here.
  const left = readSaved(storage);
  if (left !== undefined) {
    giveBack(left);
    forget();
  }

  return {
    suppress() {
      if (saved !== undefined || settings?.set === undefined) return;
      const current = settings.get(MISSING_MODELS_WARNING_SETTING);
      if (current === false) return;
      saved = { userValue: typeof current === 'boolean' ? current : null };
      storage?.setItem(STORAGE_KEY, JSON.stringify(saved));
      settings.set(MISSING_MODELS_WARNING_SETTING, false);
    },
    restore() {
      if (saved === undefined) return;
      giveBack(saved);
      saved = undefined;
      forget();
    },
  };
}

function readSaved(storage: StorageLike | null | undefined): { userValue: boolean | null } | undefined {
  const text = storage?.getItem(STORAGE_KEY);
  if (!text) return undefined;
  try {
    const parsed = zSavedChoice.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    // Not JSON: someone else's value under our key; there is nothing of the user's to give back.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
