const WIDTH = 24;
const MB = 1_000_000;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A one-line progress bar for a TTY: bytes, documents, MB/s and ETA, redrawn at most every 100 ms. */
export class ProgressBar {
  readonly #started = performance.now();
  #drawn = 0;

  constructor(private readonly stream: NodeJS.WritableStream, private readonly totalBytes: number) {}

  update(bytes: number, documents: number, force = false): void {
    const now = performance.now();
    if (!force && now - this.#drawn < 100) return;
    this.#drawn = now;
    const seconds = (now - this.#started) / 1000;
    const rate = seconds > 0 ? bytes / seconds : 0;
    const fraction = this.totalBytes > 0 ? Math.min(1, bytes / this.totalBytes) : 1;
    const filled = Math.round(fraction * WIDTH);
    const eta = rate > 0 ? (this.totalBytes - bytes) / rate : Infinity;
    this.stream.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
        `${(bytes / MB).toFixed(1)}/${(this.totalBytes / MB).toFixed(1)} MB  ${documents} docs  ${(rate / MB).toFixed(1)} MB/s  ETA ${duration(eta)}\x1b[K`,
    );
  }

  finish(): void {
    this.stream.write('\r\x1b[K');
  }
}
