// The one place the engine and its workers take their compute kernels from: the backend src/kernels/ selects in
// this thread (native addon, else WASM, else the TypeScript reference; ATLAS_BACKEND overrides), so workers use it too.
import { kernels } from '../kernels/index.js';
import type { ClusterView } from '../l3/cluster.js';

export { dominantClass, CLASS_COUNT, PAGE_SIZE } from '../l3/r96.js';
export { sha256 } from '../l2/witness.js';
export { budgetAlloc, budgetRelease, domainAttach, domainCommit, domainCreate, domainDestroy, domainState } from '../l2/domain.js';
export type { Domain } from '../l2/domain.js';
export { DomainTable, Field, slotBase, tableWords } from '../l2/domain-table.js';

const selected = kernels();

/** The backend in use here ('native', 'wasm' or 'js') and its CPU variant. */
export const kernelBackend = `${selected.name} (${selected.variant})`;

export const r96HistogramPages = (input: Uint8Array, output: Uint16Array): Uint16Array => selected.r96HistogramPages(input, output);
export const clusterByResonance = (base: Uint8Array, pages: number): ClusterView => selected.clusterByResonance(base, pages);
export const conservedSum = (bytes: Uint8Array): number => selected.conservedSum(bytes);
export const eccParity = (block: Uint8Array, parity: Uint8Array): Uint8Array => selected.eccParity(block, parity);
