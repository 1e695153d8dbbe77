import type { CreateDepotOptions } from '../../sidecar/services/depot/create-depot';
import type { FakeHub } from '../fake-hub/create-fake-hub';

/**
 * The createDepot options of a test depot that downloads from the fake hub: its HF and Civitai endpoints, loopback
 * hops allowed (its CDN and storage are other loopback hosts), no background index (tests wait for nothing) and one
 * hash worker (CI has two cores). Spread them and add the test's own options.
 */
export function fakeHubDepotOptions(
  hub: FakeHub,
): Pick<
  CreateDepotOptions,
  'hfEndpoint' | 'civitaiEndpoint' | 'allowLoopbackHosts' | 'indexInBackground' | 'hashWorkers'
> {
  return {
    hfEndpoint: hub.hfUrl,
    civitaiEndpoint: hub.civitaiUrl,
    allowLoopbackHosts: true,
    indexInBackground: false,
    hashWorkers: 1,
  };
}
