import { cleanUp, contentSpectrum, irfft, phaseCode, rfft } from '../holo/index.js';
import type { FieldBackend } from './backend.js';

/** The CPU backend: src/holo, one item at a time. It is the reference the CUDA backend must equal. */
export const cpuFieldBackend: FieldBackend = Object.freeze({
  name: 'cpu',
  device: 'cpu',
  rfft: (signals, plan) => signals.map((x) => rfft(x, plan)),
  irfft: (spectra, plan) => spectra.map((s) => irfft(s, plan)),
  bindContent(field, items, plan) {
    for (const { key, item, amplitude } of items) field.superpose(key, contentSpectrum(item, plan), amplitude ?? 1);
  },
  bindSpectra(field, items) {
    for (const { key, item, amplitude } of items) field.superpose(key, item, amplitude ?? 1);
  },
  unbind: (field, keys) => keys.map(({ key, amplitude }) => field.unbind(key, amplitude ?? 1)),
  cleanUp: (field, probes, candidates) => probes.map(({ key, amplitude }) => cleanUp(field, key, candidates, amplitude ?? 1)),
  phaseCodes: (storeSecret, codeIds, dimension) => codeIds.map((id) => phaseCode(storeSecret, id, dimension)),
} satisfies FieldBackend);
