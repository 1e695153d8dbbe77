import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestRecord } from './fake-hub-types';
import type { HubState } from './hub-state';

/** One request being answered by one of the fake hub's servers (HF, its CDN or Civitai). */
export interface HubExchange {
  state: HubState;
  req: IncomingMessage;
  res: ServerResponse;
  record: RequestRecord;
  url: URL;
  method: string;
}
