import type { Toast } from './dialogs/toasts';
import type { SidecarStatus, SidecarStatusInfo } from './sidecar-client';

export const SIDECAR_DOWN_SUMMARY = 'Model Depot: the sidecar is not running';
export const SIDECAR_DOWN_DETAIL =
  'Start it with `npx model-depot serve` (or `npm start` in the model-depot folder). ' +
  'Workflows opened meanwhile are checked as soon as it is up.';

/**
 * Tells the user about the sidecar's connection once per outage, not once per workflow or per retry: one toast
 * when it cannot be reached (how to start it), one when it comes back after that.
 */
export function createSidecarStatusNotice(toast: Toast): (status: SidecarStatus, info: SidecarStatusInfo) => void {
  let told = false;
  return (status, info) => {
    if (status === 'open') {
      if (told) toast({ severity: 'success', summary: 'Model Depot: sidecar connected', life: 4000 });
      told = false;
      return;
    }
    if (status !== 'closed' || told) return;
    told = true;
    if (info.invalidUrl) {
      toast({
        severity: 'error',
        summary: 'Model Depot: the sidecar URL is not valid',
        detail: 'Fix it in Settings > Model Depot (default ws://127.0.0.1:8190/ws).',
      });
    } else {
      toast({ severity: 'warn', summary: SIDECAR_DOWN_SUMMARY, detail: SIDECAR_DOWN_DETAIL, life: 20000 });
    }
  };
}
