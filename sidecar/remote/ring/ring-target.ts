/** A ring of slots that bytes are placed into (RingFileWriter); HttpResponseReader reads a body straight into one. */
export interface RingTarget {
  /** The free part of the current slot, at most `max` bytes; undefined while it is busy or the writer stopped. */
  freeRegion(max: number): Buffer | undefined;
  /** `length` bytes were placed at the start of `freeRegion()`. */
  commit(length: number): void;
  /** Settles once `freeRegion` may have room again. */
  whenFree(): Promise<void>;
  /** Set once a write or hash failed; nothing more is taken after that. */
  readonly failure: Error | undefined;
}

/** Copies as much of `data` as the ring takes now, slot by slot; returns the rest (empty when all of it went in). */
export function copyIntoRing(target: RingTarget, data: Buffer): Buffer {
  let rest = data;
  while (rest.length > 0) {
    const region = target.freeRegion(rest.length);
    if (!region) break;
    rest.copy(region, 0, 0, region.length);
    rest = rest.subarray(region.length);
    target.commit(region.length);
  }
  return rest;
}
