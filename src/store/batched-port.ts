// Method calls to an object in another thread, batched: every call (and every reply) made in one turn of the event
// loop travels in one message. Ingesting many small documents makes one manifest write per document; with one
// message per call (comlink) the structured clones, wake-ups and promise plumbing of each round trip cost more CPU
// than the write itself.
import type { MessagePort, Worker } from 'node:worker_threads';
import { reviveError } from './check.js';

type Port = Pick<MessagePort, 'postMessage' | 'on'>;
type Call = [id: number, method: string, args: unknown[]];
type Reply = [id: number, ok: boolean, value: unknown];

/** Collects items and posts them as one array once the current turn's synchronous code and microtasks have run. */
class Outbox<T> {
  #items: T[] = [];
  constructor(private readonly post: (items: T[]) => void) {}
  push(item: T): void {
    if (this.#items.push(item) > 1) return;
    queueMicrotask(() => {
      const items = this.#items;
      this.#items = [];
      this.post(items);
    });
  }
}

/** Errors cross as plain fields: a structured clone drops a subclass's name; reviveError restores AtlasError codes. */
function toWire(err: unknown): unknown {
  return err instanceof Error ? { error: true, name: err.name, message: err.message, stack: err.stack } : { error: false, value: err };
}

function fromWire(wire: unknown): unknown {
  const w = wire as { error: boolean; name: string; message: string; stack?: string; value?: unknown };
  return w.error ? reviveError(Object.assign(new Error(w.message), { name: w.name, stack: w.stack })) : w.value;
}

/** Serves target's methods on port: calls run in arrival order as they come; replies go back batched. */
export function serveCalls(target: object, port: Port): void {
  const replies = new Outbox<Reply>((items) => port.postMessage(items));
  port.on('message', (calls: Call[]) => {
    for (const [id, method, args] of calls) {
      let result: Promise<unknown>;
      try {
        result = Promise.resolve((target as Record<string, (...a: unknown[]) => unknown>)[method]!(...args));
      } catch (err) {
        result = Promise.reject(err);
      }
      result.then((value) => replies.push([id, true, value]), (err) => replies.push([id, false, toWire(err)]));
    }
  });
}

/** The calling side, on a worker that runs serveCalls on its parentPort. A worker that exits fails what is pending. */
export class CallPort {
  #next = 0;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: unknown) => void }>();
  readonly #calls: Outbox<Call>;

  constructor(worker: Worker) {
    this.#calls = new Outbox((items) => worker.postMessage(items));
    worker.on('message', (replies: Reply[]) => {
      for (const [id, ok, value] of replies) {
        const p = this.#pending.get(id);
        this.#pending.delete(id);
        if (ok) p?.resolve(value);
        else p?.reject(fromWire(value));
      }
    });
    const gone = (err: unknown): void => {
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the store thread exited (code ${code})`)));
  }

  call<T>(method: string, ...args: unknown[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.#next++;
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#calls.push([id, method, args]);
    });
  }
}
