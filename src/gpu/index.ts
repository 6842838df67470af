// The holographic store's heavy path on a GPU (issue 7): one FieldBackend interface, the CPU implementation (src/holo)
// and the CUDA implementation (native/cuda), chosen per thread by fieldBackend().
export type { BindItem, FieldBackend, FieldBackendName, KeyRef } from './backend.js';
export { cpuFieldBackend } from './cpu.js';
export { createCudaFieldBackend } from './cuda.js';
export { CUDA_ADDON_PATH, loadCudaAddon } from './addon.js';
export type { CudaAddon, CudaKernels } from './addon.js';
export { fieldBackend, fieldBackendChoice, fieldBackendSummary } from './select.js';
export type { FieldBackendChoice } from './select.js';
