import { EventEmitter } from 'node:events';
import { TERMINAL_JOB_STATES, type Job } from '../../../shared/job';
import type { DepotEvents } from '../depot/depot-events';

/**
 * The jobs of one depot and their events. Every change goes through `update`, which emits `progress` for a running
 * state, `jobDone` for complete/linked/exists and `jobFailed` for failed/cancelled, each exactly once.
 */
/** Finished jobs kept for `jobs()` and the WebSocket hello; older ones are forgotten so a long-running sidecar stays small. */
const MAX_FINISHED = 2000;

export class JobBoard {
  readonly #jobs = new Map<string, Job>();
  readonly #owners = new Map<string, string | undefined>();
  readonly #events = new EventEmitter();
  #nextId = 1;

  constructor() {
    // Each WebSocket client and each CLI listener subscribes; more than ten is normal, not a leak.
    this.#events.setMaxListeners(0);
  }

  /** Adds a job in `state` for the client that asked (undefined: HTTP or CLI without a client). */
  add(fields: Omit<Job, 'id' | 'bytes' | 'speed'> & Partial<Pick<Job, 'bytes' | 'speed'>>, clientId?: string): Job {
    const id = `job-${this.#nextId++}`;
    const job: Job = { bytes: 0, speed: 0, ...fields, id };
    this.#jobs.set(id, job);
    this.#owners.set(id, clientId);
    this.#emitFor(job);
    if (TERMINAL_JOB_STATES.has(job.state)) this.#forgetOldFinished();
    return job;
  }

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  /** The client that started the job, if any. */
  ownerOf(id: string): string | undefined {
    return this.#owners.get(id);
  }

  list(): Job[] {
    return [...this.#jobs.values()];
  }

  isTerminal(id: string): boolean {
    const job = this.#jobs.get(id);
    return job !== undefined && TERMINAL_JOB_STATES.has(job.state);
  }

  /** Changes a job; a job already in a terminal state never changes again (a late progress tick is dropped). */
  update(id: string, patch: Partial<Omit<Job, 'id'>>): Job | undefined {
    const current = this.#jobs.get(id);
    if (!current || TERMINAL_JOB_STATES.has(current.state)) return undefined;
    const job: Job = { ...current, ...patch, id };
    this.#jobs.set(id, job);
    this.#emitFor(job);
    if (TERMINAL_JOB_STATES.has(job.state)) this.#forgetOldFinished();
    return job;
  }

  on<E extends keyof DepotEvents>(event: E, listener: (payload: DepotEvents[E]) => void): () => void {
    this.#events.on(event, listener);
    return () => this.#events.off(event, listener);
  }

  emit<E extends keyof DepotEvents>(event: E, payload: DepotEvents[E]): void {
    this.#events.emit(event, payload);
  }

  /** Resolves when every job in `ids` has reached a terminal state (a job already forgotten counts as settled). */
  whenSettled(ids: readonly string[]): Promise<Job[]> {
    const settled = (): Job[] | undefined => {
      const jobs = ids.map((id) => this.#jobs.get(id)).filter((j): j is Job => j !== undefined);
      return jobs.every((j) => TERMINAL_JOB_STATES.has(j.state)) ? jobs : undefined;
    };
    return new Promise((resolve) => {
      const now = settled();
      if (now) return resolve(now);
      const check = (): void => {
        const done = settled();
        if (!done) return;
        offDone();
        offFailed();
        resolve(done);
      };
      const offDone = this.on('jobDone', check);
      const offFailed = this.on('jobFailed', check);
    });
  }

  #forgetOldFinished(): void {
    const finished = [...this.#jobs.values()].filter((j) => TERMINAL_JOB_STATES.has(j.state));
    for (const job of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED))) {
      this.#jobs.delete(job.id);
      this.#owners.delete(job.id);
    }
  }

  #emitFor(job: Job): void {
    if (job.state === 'complete' || job.state === 'linked' || job.state === 'exists') this.emit('jobDone', job);
    else if (job.state === 'failed' || job.state === 'cancelled') this.emit('jobFailed', job);
    else this.emit('progress', job);
  }
}
