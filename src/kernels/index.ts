export type { BackendName, Kernels } from './types.js';
export { BACKEND_ORDER } from './types.js';
export { backendName, kernels, loadKernels } from './select.js';
import { kernels } from './select.js';

/** r96 of every whole page of input into output, on the selected backend. */
export function r96ClassifyPages(input: Uint8Array, output: Uint8Array): Uint8Array {
  return kernels().r96ClassifyPages(input, output);
}

/** One 96-bin histogram per whole page of input (page p at output[96p ..]), on the selected backend. */
export function r96HistogramPages(input: Uint8Array, output: Uint16Array): Uint16Array {
  return kernels().r96HistogramPages(input, output);
}
