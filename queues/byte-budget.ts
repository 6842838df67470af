/**
 * A budget of bytes held at once: acquire(n) waits until n bytes are free (a request larger than the whole budget
 * waits for all of it, so it runs alone rather than never). Waiters are served in order.
 */
export class ByteBudget {
  #free: number;
  readonly #waiters: Array<{ bytes: number; resolve: () => void }> = [];

  constructor(readonly total: number) {
    this.#free = total;
  }

  get free(): number {
    return this.#free;
  }

  /** Resolves once the bytes are taken; the function it returns gives them back (once). */
  async acquire(bytes: number): Promise<() => void> {
    const take = Math.min(bytes, this.total);
    if (this.#waiters.length > 0 || this.#free < take) await new Promise<void>((resolve) => this.#waiters.push({ bytes: take, resolve }));
    else this.#free -= take;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#free += take;
      this.#serve();
    };
  }

  #serve(): void {
    while (this.#waiters.length > 0 && this.#free >= this.#waiters[0]!.bytes) {
      const next = this.#waiters.shift()!;
      this.#free -= next.bytes;
      next.resolve();
    }
  }
}
