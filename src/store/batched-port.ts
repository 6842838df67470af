// Method calls to the store's owner thread over comlink, batched: every call made in one turn of the event loop goes
// as one comlink call, and its reply settles them all. Ingesting many small documents makes one manifest write per
// document; with one comlink round trip per call the structured clones, wake-ups and promise plumbing of each cost
// more CPU than the write itself. The price: a call waits for the slowest call of its own turn.
import type { MessagePort, Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { reviveError } from './check.js';

type Call = [method: string, args: unknown[]];
type Settled = [ok: boolean, value: unknown];

/** What the owner thread exposes through comlink: many calls in, their outcomes out, in the same order. */
interface Batched {
  calls(batch: Call[]): Promise<Settled[]>;
}

/** Errors cross as plain fields: a structured clone drops a subclass's name; reviveError restores AtlasError codes. */
function toWire(err: unknown): unknown {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { message: String(err) };
}

function fromWire(wire: unknown): unknown {
  const w = wire as { name?: string; message: string; stack?: string };
  return reviveError(Object.assign(new Error(w.message), { name: w.name ?? 'Error', stack: w.stack }));
}

/** Serves target's methods on port (comlink): a batch's calls start in order, all at once, and settle one reply. */
export function serveCalls(target: object, port: MessagePort): void {
  const methods = target as Record<string, (...args: unknown[]) => unknown>;
  const batched: Batched = {
    calls: (batch) =>
      Promise.all(batch.map(async ([method, args]): Promise<Settled> => {
        try {
          return [true, await methods[method]!(...args)];
        } catch (err) {
          return [false, toWire(err)];
        }
      })),
  };
  Comlink.expose(batched, nodeEndpoint(port));
}

interface Pending {
  readonly call: Call;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** The calling side, on a worker that runs serveCalls on its parentPort. A worker that exits fails what is pending. */
export class CallPort {
  readonly #remote: Comlink.Remote<Batched>;
  #turn: Pending[] = [];
  readonly #sent = new Set<Pending[]>();
  #gone?: Error;

  constructor(worker: Worker) {
    this.#remote = Comlink.wrap<Batched>(nodeEndpoint(worker));
    const gone = (err: Error): void => {
      this.#gone ??= err;
      for (const batch of this.#sent) for (const p of batch) p.reject(err);
      this.#sent.clear();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the store thread exited (code ${code})`)));
  }

  call<T>(method: string, ...args: unknown[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#gone) return reject(this.#gone);
      if (this.#turn.push({ call: [method, args], resolve: resolve as (value: unknown) => void, reject }) === 1) queueMicrotask(() => this.#send());
    });
  }

  #send(): void {
    const batch = this.#turn;
    this.#turn = [];
    this.#sent.add(batch);
    this.#remote.calls(batch.map((p) => p.call)).then(
      (outcomes) => outcomes.forEach(([ok, value], i) => (ok ? batch[i]!.resolve(value) : batch[i]!.reject(fromWire(value)))),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    ).finally(() => this.#sent.delete(batch));
  }
}
