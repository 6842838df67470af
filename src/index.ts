export { AtlasError, ErrorCode, API_VERSION, errorName, errorString, getApiVersion, getLastError } from './errors.js';
export type { ErrorName } from './errors.js';
export { VERSION } from './version.js';

export { CLASS_COUNT, PAGE_SIZE, R96_TABLE, conjugate, dominantClass, harmonizes, r96Classify, r96ClassifyPage, r96HistogramPage } from './l3/r96.js';
// The batch entry points run on the selected kernel backend (native, wasm or js; ATLAS_BACKEND overrides).
export { BACKEND_ORDER, backendName, kernels, loadKernels, r96ClassifyPages, r96HistogramPages } from './kernels/index.js';
export type { BackendName, Kernels } from './kernels/index.js';
export { PAGES, STRUCTURE_SIZE, phiDecode, phiEncode } from './l3/phi.js';
export type { PhiCoordinate } from './l3/phi.js';
export { clusterByResonance, clusterDestroy, clusterMembers, clusterValidate } from './l3/cluster.js';
export type { ClusterView } from './l3/cluster.js';
export { U64_MAX, nextHarmonicWindow, nextHarmonicWindowFrom, nextHarmonicWindowFromNumber } from './l3/scheduler.js';

export { byteSum, conservedDelta, conservedSum, residueDelta, slidingWindowCheck, windowCheck } from './l2/sum.js';
export { ConservationStream } from './l2/stream.js';
export type { ConservationState } from './l2/stream.js';
export { conservedMemcpy, conservedMemset } from './l2/memory.js';
export { sha256, witnessCheck, witnessDestroy, witnessEquals, witnessGenerate, witnessVerify } from './l2/witness.js';
export type { Witness } from './l2/witness.js';
export { DomainTable, defaultDomainTable } from './l2/domain-table.js';
export { budgetAlloc, budgetRelease, domainAttach, domainBudget, domainCommit, domainCreate, domainDestroy, domainDigest, domainState, domainVerify } from './l2/domain.js';
export type { Domain, DomainState } from './l2/domain.js';
export { Engine, type EngineIngestOptions, type EngineOptions, type EngineStats } from './engine/engine.js';
export type { HoloStoreOptions, HoloSummary, LayerRecall, LayerReport, RebalanceReport } from './store/holo-store.js';
export { routeToLayer } from './holo/routing.js';
export type { LayerPolicy } from './holo/routing.js';
export type { Layer, LayerName } from './holo/layers.js';
export type { LayerStats } from './holo/telemetry.js';
/** The holographic store's building blocks: layers, routing, FFT, codebook, fields, allocation, ECC, Vault, telemetry. */
export * as holo from './holo/index.js';
export { IngestQueue, IngestWorker, type BatchProgress, type BatchSummary, type FailedJob, type IngestQueueOptions, type IngestWorkerOptions, type SubmittedBatch } from '../queues/index.js';
