// The one place the engine and its workers take their compute kernels from. Today: the TypeScript reference
// implementations; switching to the native/WASM backend of src/kernels/ is a change of these imports.
export { r96HistogramPages, dominantClass, CLASS_COUNT, PAGE_SIZE } from '../l3/r96.js';
export { clusterByResonance } from '../l3/cluster.js';
export { sha256 } from '../l2/witness.js';
export { budgetAlloc, budgetRelease, domainAttach, domainCommit, domainCreate, domainDestroy, domainState } from '../l2/domain.js';
export type { Domain } from '../l2/domain.js';
export { DomainTable, Field, slotBase, tableWords } from '../l2/domain-table.js';
