import type { DocumentResult } from '../src/engine/document.js';
import type { Engine } from '../src/engine/engine.js';
import { routeItem, type RoutedItem } from '../src/engine/route-item.js';
import type { IngestItem } from '../src/engine/sources.js';
import { ErrorCode, fail } from '../src/errors.js';
import type { Layer } from '../src/holo/layers.js';

interface Entry {
  readonly routed: RoutedItem;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (result: DocumentResult) => void;
  readonly reject: (err: unknown) => void;
  readonly unlisten: () => void;
}

interface Run {
  /** Entries handed to the engine, in order, whose results have not come back yet. */
  readonly inFlight: Entry[];
  readonly abort: AbortController;
  /** Resumes the run's input when it waits for documents. */
  wake?: () => void;
  ended: boolean;
  done?: Promise<void>;
}

const OPTIONS = { details: false } as const;

/**
 * One long-running `Engine.ingest` that the jobs' documents join as they arrive, so consecutive documents share batch
 * buffers, store commits and the pool's threads (an ingest per job paid the pipeline's start and drain and a store
 * commit per document: 3x slower at 2 jobs at once). Results come back in input order. When the shared run fails or
 * is aborted, every other document it held is ingested again on its own, so only the document at fault fails.
 * Documents for the Vault are sealed on their own: they never share a run.
 */
export class DocumentFeed {
  readonly #engine: Engine;
  readonly #queued: Entry[] = [];
  #run?: Run;
  #closed = false;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /**
   * Ingests one document (a file path or bytes) into `layer`, or where it routes (auto) when none is given; `signal`
   * aborts it (and the shared run, if the document is in it).
   */
  async ingest(item: IngestItem, signal?: AbortSignal, layer?: Layer): Promise<DocumentResult> {
    if (this.#closed) fail(ErrorCode.STATE, 'the document feed is closed');
    signal?.throwIfAborted();
    const routed = { item, layer: layer ?? (await routeItem(item, 'auto')) }; // the only time this document is routed
    if (!routed.layer.hasField) return this.#alone(routed, signal);
    signal?.throwIfAborted(); // aborted while it was routed: no 'abort' event will come
    return new Promise<DocumentResult>((resolve, reject) => {
      const onAbort = (): void => this.#abort(entry);
      const entry: Entry = { routed, signal, resolve, reject, unlisten: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queued.push(entry);
      if (this.#run) this.#run.wake?.();
      else this.#run = this.#start();
    });
  }

  /** Documents waiting for the shared run, and documents in it whose results have not come back. */
  get load(): { readonly queued: number; readonly running: number } {
    return { queued: this.#queued.length, running: this.#run?.inFlight.length ?? 0 };
  }

  /** Lets the documents already submitted finish, then ends the shared run. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#run?.wake?.();
    await this.#run?.done;
  }

  #abort(entry: Entry): void {
    const queued = this.#queued.indexOf(entry);
    if (queued >= 0) {
      this.#queued.splice(queued, 1);
      entry.reject(entry.signal!.reason);
    } else if (this.#run?.inFlight.includes(entry)) {
      this.#run.abort.abort(entry.signal!.reason);
    }
  }

  #start(): Run {
    const run: Run = { inFlight: [], abort: new AbortController(), ended: false };
    const queued = this.#queued;
    const closed = (): boolean => this.#closed;
    // A run that ended (failed, aborted) takes nothing more: what is queued waits for the next run.
    async function* items(): AsyncGenerator<RoutedItem> {
      while (!run.ended && !run.abort.signal.aborted) {
        const entry = queued.shift();
        if (entry) {
          run.inFlight.push(entry);
          yield entry.routed;
        } else if (closed()) {
          return;
        } else {
          await new Promise<void>((resolve) => (run.wake = resolve));
          run.wake = undefined;
        }
      }
    }
    run.done = this.#consume(run, items());
    return run;
  }

  async #consume(run: Run, items: AsyncGenerator<RoutedItem>): Promise<void> {
    try {
      for await (const result of this.#engine.ingest(items, { ...OPTIONS, signal: run.abort.signal })) {
        const entry = run.inFlight.shift()!;
        entry.unlisten();
        entry.resolve(result);
      }
    } catch {
      // The run's own error belongs to one document at most: each one it held learns its fate alone.
      for (const entry of run.inFlight.splice(0)) {
        entry.unlisten();
        if (entry.signal?.aborted) entry.reject(entry.signal.reason);
        else this.#alone(entry.routed, entry.signal).then(entry.resolve, entry.reject);
      }
    } finally {
      run.ended = true;
      run.wake?.();
      this.#run = undefined;
      if (this.#queued.length > 0) this.#run = this.#start();
    }
  }

  async #alone(routed: RoutedItem, signal: AbortSignal | undefined): Promise<DocumentResult> {
    let result: DocumentResult | undefined;
    for await (const r of this.#engine.ingest([routed], signal ? { ...OPTIONS, signal } : OPTIONS)) result = r;
    return result ?? fail(ErrorCode.STATE, 'the document produced no result');
  }
}
