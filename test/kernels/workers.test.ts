// Every backend loads and runs inside worker threads (each worker has its own addon binding and its own shared
// WebAssembly.Memory), classifying disjoint pages of one SharedArrayBuffer in place.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'src');
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.dist + '/kernels/index.js').then(({ loadKernels }) => {
  const k = loadKernels(workerData.backend);
  const { input, output, hist, first, pages } = workerData;
  k.r96ClassifyPages(new Uint8Array(input, first * 256, pages * 256), new Uint8Array(output, first * 256, pages * 256));
  k.r96HistogramPages(new Uint8Array(input, first * 256, pages * 256), new Uint16Array(hist, first * 192, pages * 96));
  parentPort.postMessage(k.name);
});
`;

describe.each(['native', 'wasm', 'js'])('%s kernels in worker threads', (backend) => {
  it('four workers classify and histogram their pages of one SharedArrayBuffer', async () => {
    const pages = 64;
    const input = new SharedArrayBuffer(pages * 256);
    const bytes = new Uint8Array(input);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    const output = new SharedArrayBuffer(pages * 256);
    const hist = new SharedArrayBuffer(pages * 96 * 2);
    const names = await Promise.all(
      [0, 1, 2, 3].map(
        (w) =>
          new Promise<string>((resolve, reject) => {
            const worker = new Worker(WORKER, { eval: true, workerData: { dist: DIST, backend, input, output, hist, first: w * 16, pages: 16 } });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    expect(names).toEqual([backend, backend, backend, backend]);
    const classes = new Uint8Array(output);
    expect(classes.every((c, i) => c === bytes[i]! % 96)).toBe(true);
    const counts = new Uint16Array(hist);
    for (let p = 0; p < pages; p++) {
      const expected = new Array<number>(96).fill(0);
      for (let i = p * 256; i < p * 256 + 256; i++) expected[bytes[i]! % 96]!++;
      expect([...counts.subarray(p * 96, p * 96 + 96)]).toEqual(expected);
    }
  });
});
