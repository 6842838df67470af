// The holographic-store building blocks, one import for the store and for src/index.ts.
export { FIELD_LAYERS, LAYERS, VAULT, resolveLayer } from './layers.js';
export type { Layer, LayerName } from './layers.js';
export { routeToLayer } from './routing.js';
export type { LayerPolicy, RoutableDocument } from './routing.js';
export { createFftPlan, fft, ifft, irfft, isPowerOfTwo, rfft } from './fft.js';
export type { FftPlan, FloatArray, HalfSpectrum } from './fft.js';
export { codePhases, codeSpectrum, keyCodeId, mix64, phaseCode, timeCode, valueCodeId } from './codebook.js';
export type { PhaseCode } from './codebook.js';
export { HoloField, centre, cleanUp, contentSpectrum, recallByCue, spectralInner } from './field.js';
export type { CleanUp, FieldPrecision } from './field.js';
export { CapacityError, DEFAULT_HEADROOM, admit, allocateDimensions, capacityState, floorDimension, nextPow2 } from './allocation.js';
export type { Allocation, CapacityPolicy, CapacityState, FieldShard, Placement } from './allocation.js';
export { ECC_DEPTH, ECC_MAX_BLOCK, ECC_PARITY_BYTES, RS_K, RS_N, RS_PARITY, UnrecoverableError, eccDecode, eccEncode, rsDecode, rsEncode } from './ecc.js';
export type { EccRepair } from './ecc.js';
export { MANIFEST_INDEX, VAULT_DOC_ID_BYTES, VAULT_IV_BYTES, VAULT_TAG_BYTES, loadVaultKey, newVaultDocId, openChunk, parseVaultKey, sealChunk, vaultAad, vaultChunkAddress } from './vault.js';
export type { VaultKey } from './vault.js';
export { LAYER_STATS_KEYS, bitErrorRate, capacityUsed, snrMeasured, snrPredicted } from './telemetry.js';
export type { LayerStats } from './telemetry.js';
