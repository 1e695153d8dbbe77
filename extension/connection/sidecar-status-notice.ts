import type { Toast } from '../dialogs/toasts';
import type { SidecarStatus, SidecarStatusInfo } from './sidecar-client';

export const SIDECAR_DOWN_SUMMARY = 'Model Depot: the sidecar is not running';
export const SIDECAR_DOWN_DETAIL =
  'Start it with `npx model-depot serve` (or `npm start` in the model-depot folder). ' +
  'Workflows opened meanwhile are checked as soon as it is up.';
export const SIDECAR_REFUSED_SUMMARY = 'Model Depot: the sidecar refused the connection';

/**
 * Tells the user about the sidecar's connection once per outage, not once per workflow or per retry: one toast
 * when it cannot be reached (refused: what to change; not running: what to run), one when it comes back after that.
 * Only a change of cause during the same outage (a started sidecar that refuses the page) is told again.
 */
export function createSidecarStatusNotice(toast: Toast): (status: SidecarStatus, info: SidecarStatusInfo) => void {
  let told: 'invalid-url' | 'refused' | 'not-running' | undefined;
  return (status, info) => {
    if (status === 'open') {
      if (told) toast({ severity: 'success', summary: 'Model Depot: sidecar connected', life: 4000 });
      told = undefined;
      return;
    }
    if (status !== 'closed') return;
    const cause = info.invalidUrl ? 'invalid-url' : (info.diagnosis?.kind ?? 'not-running');
    if (told === cause) return;
    told = cause;
    if (cause === 'invalid-url') {
      toast({
        severity: 'error',
        summary: 'Model Depot: the sidecar URL is not valid',
        detail: 'Fix it in Settings > Model Depot, or leave it empty to connect through ComfyUI.',
      });
    } else if (info.diagnosis?.kind === 'refused') {
      toast({ severity: 'error', summary: SIDECAR_REFUSED_SUMMARY, detail: info.diagnosis.detail, life: 30000 });
    } else {
      const detail = info.diagnosis?.detail ?? SIDECAR_DOWN_DETAIL;
      toast({ severity: 'warn', summary: SIDECAR_DOWN_SUMMARY, detail, life: 20000 });
    }
  };
}
