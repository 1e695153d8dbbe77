import type { ServerResponse } from 'node:http';
import type { Fault, FaultSpec, RequestRecord, ServerName } from './fake-hub-types';
import { sendBody } from './request-log';

/** What a request is about, to match faults against. */
export interface FaultContext {
  server: ServerName;
  urlPath: string;
  repoId?: string;
  file?: string;
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

type KindOf<K extends FaultSpec['kind']> = Extract<Fault, { kind: K }>;

/** The hub's active faults; each applies to matching requests until its `times` are used up. */
export class FaultBook {
  private active: ActiveFault[] = [];

  add(fault: Fault): void {
    this.active.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.active = [];
  }

  /** The first matching fault of `kind`, used up by one application. */
  take<K extends FaultSpec['kind']>(kind: K, context: FaultContext): KindOf<K> | undefined {
    for (const entry of this.active) {
      if (entry.remaining <= 0 || entry.fault.kind !== kind || !matches(entry.fault, context)) continue;
      entry.remaining -= 1;
      return narrow(entry.fault, kind);
    }
    return undefined;
  }
}

// TypeScript cannot narrow a union by a generic discriminant; the `kind` comparison makes the cast exact.
function narrow<K extends FaultSpec['kind']>(fault: Fault, kind: K): KindOf<K> | undefined {
  return fault.kind === kind ? (fault as KindOf<K>) : undefined;
}

function matches(fault: Fault, context: FaultContext): boolean {
  if (fault.server !== undefined && fault.server !== context.server) return false;
  if (fault.repoId !== undefined && fault.repoId !== context.repoId) return false;
  if (fault.file !== undefined && fault.file !== context.file) return false;
  if (fault.urlPath !== undefined) {
    if (
      typeof fault.urlPath === 'string'
        ? !context.urlPath.startsWith(fault.urlPath)
        : !fault.urlPath.test(context.urlPath)
    ) {
      return false;
    }
  }
  return true;
}

/** Answers an active `redirect` fault (a hop to wherever the test says); true when it did. */
export function answeredByRedirectFault(
  book: FaultBook,
  res: ServerResponse,
  record: RequestRecord,
  context: FaultContext,
  method: string,
): boolean {
  const fault = book.take('redirect', context);
  if (fault === undefined) return false;
  sendBody(
    res,
    record,
    fault.status ?? 302,
    { Location: fault.location, 'Content-Type': 'text/plain; charset=utf-8' },
    `Found. Redirecting to ${fault.location}`,
    method,
  );
  return true;
}
