import { ErrorCode, fail } from '../errors.js';
import { loadCudaAddon } from './addon.js';
import type { FieldBackend } from './backend.js';
import { cpuFieldBackend } from './cpu.js';
import { createCudaFieldBackend } from './cuda.js';

export interface FieldBackendChoice {
  readonly backend: FieldBackend;
  /** Why this backend: the GPU's name, or why the CPU path runs (no addon, no device, forced). */
  readonly reason: string;
}

let choice: FieldBackendChoice | undefined;

function detect(): FieldBackendChoice {
  const forced = process.env.ATLAS_FIELD_BACKEND ?? '';
  if (forced !== '' && forced !== 'cpu' && forced !== 'cuda') fail(ErrorCode.INVALID, `ATLAS_FIELD_BACKEND must be cpu or cuda, got '${forced}'`);
  if (forced === 'cpu') return { backend: cpuFieldBackend, reason: 'ATLAS_FIELD_BACKEND=cpu' };
  const { addon, error } = loadCudaAddon();
  let reason: string;
  if (!addon) reason = error ?? 'CUDA addon not loadable';
  else {
    const { count, error: code, message } = addon.deviceCount();
    if (count > 0) {
      const device = addon.deviceName();
      return { backend: createCudaFieldBackend(addon.cuda, 'cuda', device), reason: `${count} CUDA device(s), using ${device}` };
    }
    reason = code === 0 ? 'no GPU: no CUDA device' : `no GPU: ${message} (cudaError ${code})`;
  }
  if (forced === 'cuda') fail(ErrorCode.STATE, `ATLAS_FIELD_BACKEND=cuda but ${reason}`);
  return { backend: cpuFieldBackend, reason };
}

/**
 * The holographic store's field backend for this thread: CUDA when the addon is built and cudaGetDeviceCount() > 0,
 * else the CPU path (src/holo). ATLAS_FIELD_BACKEND=cpu|cuda forces one (cuda without a device is an error).
 */
export function fieldBackendChoice(): FieldBackendChoice {
  return (choice ??= detect());
}

export function fieldBackend(): FieldBackend {
  return fieldBackendChoice().backend;
}

/** One line for `atlas info`: "cuda (NVIDIA H100 …)" or "cpu (no GPU: …)". */
export function fieldBackendSummary(): string {
  const { backend, reason } = fieldBackendChoice();
  return backend.name === 'cpu' ? `cpu (${reason})` : `${backend.name} (${backend.device})`;
}
