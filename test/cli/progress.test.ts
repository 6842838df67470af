import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { ProgressBar } from '../../src/cli/progress.js';

function sink(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) });
  return { stream, text: () => out };
}

describe('ProgressBar', () => {
  it('draws bytes, documents, MB/s and ETA on one line, throttled unless forced', async () => {
    const { stream, text } = sink();
    const bar = new ProgressBar(stream, 10_000_000);
    await new Promise((r) => setTimeout(r, 20));
    bar.update(5_000_000, 3, true);
    const line = text();
    expect(line.startsWith('\r[############------------]  50% 5.0/10.0 MB  3 docs  ')).toBe(true);
    expect(line).toMatch(/\d+\.\d MB\/s {2}ETA \d+(m\d\ds|s)\x1b\[K$/);
    bar.update(6_000_000, 4); // within 100 ms of the last draw: skipped
    expect(text()).toBe(line);
    bar.finish();
    expect(text().endsWith('\r\x1b[K')).toBe(true);
  });

  it('shows a full bar and no ETA guess for an empty input', () => {
    const { stream, text } = sink();
    new ProgressBar(stream, 0).update(0, 0, true);
    expect(text()).toContain('[########################] 100% 0.0/0.0 MB  0 docs  ');
    expect(text()).toContain('ETA --');
  });
});
