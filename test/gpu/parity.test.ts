import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AtlasError, ErrorCode } from '../../src/errors.js';
import {
  HoloField, centre, codePhases, codeSpectrum, createFftPlan, fft, ifft, keyCodeId, phaseCode, valueCodeId,
  type FieldPrecision, type FloatArray, type HalfSpectrum, type PhaseCode,
} from '../../src/holo/index.js';
import { CUDA_ADDON_PATH, cpuFieldBackend, createCudaFieldBackend, fieldBackendChoice, loadCudaAddon, type CudaKernels, type FieldBackend } from '../../src/gpu/index.js';
import { seededBytes, seededRandom } from '../holo/helpers.js';

const nvccPresent = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v "${NVCC:-nvcc}"'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();
const { addon, error: addonError } = loadCudaAddon();
const devices = addon?.deviceCount();
const hasGpu = (devices?.count ?? 0) > 0;

const SECRET = seededBytes(32, 7);
const DOC = seededBytes(32, 8);
const DIMENSIONS = [2, 8, 256, 4096];

/** Equal bit for bit (Object.is per element: -0 differs from +0), reporting the first difference. */
function expectBitwise(actual: FloatArray, expected: FloatArray, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const i = actual.findIndex((v, k) => !Object.is(v, expected[k]));
  expect(i, i < 0 ? what : `${what}: first difference at ${i}: ${actual[i]} vs ${expected[i]}`).toBe(-1);
}

function expectSpectra(actual: readonly HalfSpectrum<FloatArray>[], expected: readonly HalfSpectrum<FloatArray>[], what: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((s, i) => {
    expectBitwise(s.re, expected[i]!.re, `${what} ${i} re`);
    expectBitwise(s.im, expected[i]!.im, `${what} ${i} im`);
  });
}

interface Corpus {
  readonly d: number;
  readonly keys: PhaseCode[];
  readonly contents: Uint8Array[];
  readonly values: HalfSpectrum[];
  readonly amplitudes: number[];
  readonly signals: Float64Array[];
}

/** Seeded corpus for dimension d: key codes, contents of edge-case lengths, value-code spectra, amplitudes, signals. */
function corpus(d: number): Corpus {
  const lengths = [...new Set([0, 1, 3, d / 2 + 1, d - 1, d].filter((n) => n <= d))];
  const count = Math.max(lengths.length, 12);
  const random = seededRandom(d);
  return {
    d,
    keys: Array.from({ length: count }, (_, i) => phaseCode(SECRET, keyCodeId(1, DOC, i), d)),
    contents: Array.from({ length: count }, (_, i) => seededBytes(lengths[i % lengths.length]!, d + i)),
    values: Array.from({ length: count }, (_, i) => codeSpectrum(phaseCode(SECRET, valueCodeId(seededBytes(32, 100 + i)), d))),
    amplitudes: Array.from({ length: count }, (_, i) => (i % 3 === 0 ? 1 : 0.25 + 2 * random())),
    signals: Array.from({ length: 4 }, (_, i) => Float64Array.from({ length: i === 0 ? d : Math.max(1, d >> i) }, () => random() * 2 - 1)),
  };
}

function boundField(backend: FieldBackend, c: Corpus, precision: FieldPrecision): HoloField {
  const field = new HoloField(c.d, precision);
  backend.bindContent(field, c.contents.map((item, i) => ({ key: c.keys[i]!, item, amplitude: c.amplitudes[i]! })), createFftPlan(c.d));
  return field;
}

function parityChecks(backend: FieldBackend, kernels: CudaKernels): void {
  it.each(DIMENSIONS)('codebook: phases and codes are bitwise the CPU codebook (D = %i)', (d) => {
    const ids = Array.from({ length: 5 }, (_, i) => keyCodeId(2, DOC, i));
    expectSpectra(backend.phaseCodes(SECRET, ids, d), cpuFieldBackend.phaseCodes(SECRET, ids, d), 'code');
    expectSpectra(backend.phaseCodes(SECRET, ids, d), ids.map((id) => phaseCode(SECRET, id, d)), 'code');
    expect(codePhases(SECRET, ids[0]!, d)[d / 2]).toBeGreaterThanOrEqual(0);
  });

  it.each(DIMENSIONS)('rfft and irfft are bitwise the CPU transforms (D = %i)', (d) => {
    const c = corpus(d);
    const plan = createFftPlan(d);
    const spectra = backend.rfft(c.signals, plan);
    expectSpectra(spectra, cpuFieldBackend.rfft(c.signals, plan), 'rfft');
    backend.irfft(spectra, plan).forEach((x, i) => expectBitwise(x, cpuFieldBackend.irfft([spectra[i]!], plan)[0]!, `irfft ${i}`));
  });

  it.each(DIMENSIONS)('complex fft and ifft kernels are bitwise holo fft/ifft (n = %i)', (n) => {
    const random = seededRandom(n + 1);
    const plan = createFftPlan(n);
    const rows = 3;
    const re = Float64Array.from({ length: n * rows }, () => random() - 0.5);
    const im = Float64Array.from({ length: n * rows }, () => random() - 0.5);
    for (const inverse of [0, 1]) {
      const gRe = re.slice(), gIm = im.slice();
      expect(kernels.fft(gRe, gIm, n, rows, plan.twiddleRe, plan.twiddleIm, inverse, 1 / Math.sqrt(n))).toBe(true);
      for (let r = 0; r < rows; r++) {
        const cRe = re.slice(r * n, (r + 1) * n), cIm = im.slice(r * n, (r + 1) * n);
        (inverse ? ifft : fft)(cRe, cIm, plan);
        expectBitwise(gRe.subarray(r * n, (r + 1) * n), cRe, `row ${r} re`);
        expectBitwise(gIm.subarray(r * n, (r + 1) * n), cIm, `row ${r} im`);
      }
    }
  });

  describe.each(['f64', 'f32'] as const)('%s field', (precision) => {
    it.each(DIMENSIONS)('bind content + accumulate, bind value codes, unbind: bitwise the CPU field (D = %i)', (d) => {
      const c = corpus(d);
      const field = boundField(backend, c, precision);
      const expected = boundField(cpuFieldBackend, c, precision);
      expectSpectra([field.spectrum], [expected.spectrum], 'field after content binds');
      expect(field.items).toBe(expected.items);

      const valueItems = c.values.map((item, i) => ({ key: c.keys[c.keys.length - 1 - i]!, item, amplitude: c.amplitudes[i]! }));
      backend.bindSpectra(field, valueItems);
      cpuFieldBackend.bindSpectra(expected, valueItems);
      expectSpectra([field.spectrum], [expected.spectrum], 'field after value binds');

      const refs = c.keys.map((key, i) => ({ key, amplitude: c.amplitudes[i]! }));
      expectSpectra(backend.unbind(field, refs), cpuFieldBackend.unbind(expected, refs), 'unbind');
    });

    it.each(DIMENSIONS)('clean-up: scores bitwise, same winner and margin (D = %i)', (d) => {
      const c = corpus(d);
      const field = new HoloField(d, precision);
      const items = c.values.map((item, i) => ({ key: c.keys[i]!, item, amplitude: c.amplitudes[i]! }));
      cpuFieldBackend.bindSpectra(field, items);
      const probes = c.keys.map((key, i) => ({ key, amplitude: c.amplitudes[i]! }));
      const got = backend.cleanUp(field, probes, c.values);
      const want = cpuFieldBackend.cleanUp(field, probes, c.values);
      got.forEach((r, p) => {
        expectBitwise(r.scores, want[p]!.scores, `probe ${p} scores`);
        expect([r.index, r.score, r.margin]).toEqual([want[p]!.index, want[p]!.score, want[p]!.margin]);
      });
    });
  });

  it('rejects what the CPU path rejects, with the same codes', () => {
    const c = corpus(8);
    const field = new HoloField(8);
    const zero = { re: new Float64Array(5), im: new Float64Array(5) };
    for (const b of [backend, cpuFieldBackend]) {
      expect(() => b.cleanUp(field, [{ key: c.keys[0]! }], [c.values[0]!, zero])).toThrow(AtlasError);
      expect(() => b.bindSpectra(field, [{ key: c.keys[0]!, item: c.values[0]!, amplitude: 0 }])).toThrow(/amplitude/);
      expect(() => b.bindContent(field, [{ key: c.keys[0]!, item: new Uint8Array(9) }], createFftPlan(8))).toThrow(/exceeds/);
      expect(() => b.bindContent(field, [{ key: c.keys[0]!, item: new Uint8Array(4) }], createFftPlan(16))).toThrow(AtlasError);
    }
  });
}

describe('CUDA addon build and loading', () => {
  // One test whose name says which host this is, so nothing shows as skipped.
  it(nvccPresent ? 'nvcc is present: the CUDA addon was built and loads' : 'nvcc absent on this host: CUDA addon not built, CPU path only', () => {
    if (nvccPresent) {
      expect(addonError, `nvcc is present but ${CUDA_ADDON_PATH} did not load: run npm run build:cuda`).toBeUndefined();
      expect(typeof addon?.deviceCount).toBe('function');
    } else {
      expect(fieldBackendChoice().backend).toBe(cpuFieldBackend);
    }
  });

  it.runIf(addon !== undefined && !hasGpu)('no GPU on this host: the addon reports no device and the CPU path is chosen', () => {
    expect(devices?.count).toBe(0);
    expect(fieldBackendChoice().backend.name).toBe('cpu');
    expect(fieldBackendChoice().reason).toMatch(/^no GPU/);
    // A forced cuda backend on a host without a device is an error, not a silent fallback.
    const script = "import('./dist/src/gpu/index.js').then((m) => { try { m.fieldBackend(); console.log('loaded'); } catch (e) { console.log(e.code, e.message); } })";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ATLAS_FIELD_BACKEND: 'cuda' } }).toString();
    expect(out).toMatch(new RegExp(`^${ErrorCode.STATE} .*no GPU`));
  });
});

describe('CPU path against an f64 oracle', () => {
  /** Direct f64 DFT with exactly reduced angles: the oracle, O(D²). */
  function naiveRfft(x: Float64Array, d: number): HalfSpectrum {
    const bins = d / 2 + 1;
    const re = new Float64Array(bins), im = new Float64Array(bins);
    for (let k = 0; k < bins; k++) {
      let sr = 0, si = 0;
      for (let n = 0; n < x.length; n++) {
        const angle = (2 * Math.PI * ((k * n) % d)) / d;
        sr += x[n]! * Math.cos(angle);
        si -= x[n]! * Math.sin(angle);
      }
      re[k] = sr / Math.sqrt(d);
      im[k] = si / Math.sqrt(d);
    }
    return { re, im };
  }

  it.each([8, 256, 1024])('rfft is within 1e-12 (max abs, unit-scale input) of the direct DFT (D = %i)', (d) => {
    for (const x of corpus(d).signals) {
      const got = cpuFieldBackend.rfft([x], createFftPlan(d))[0]!;
      const want = naiveRfft(x, d);
      for (let k = 0; k < want.re.length; k++) {
        expect(Math.abs(got.re[k]! - want.re[k]!)).toBeLessThan(1e-12);
        expect(Math.abs(got.im[k]! - want.im[k]!)).toBeLessThan(1e-12);
      }
    }
  });

  it('one bound item unbinds to its centred bytes within 1e-12, the amplitude undone', () => {
    const d = 1024;
    const plan = createFftPlan(d);
    const bytes = seededBytes(700, 3);
    const field = new HoloField(d);
    const key = phaseCode(SECRET, keyCodeId(0, DOC, 0), d);
    cpuFieldBackend.bindContent(field, [{ key, item: bytes, amplitude: 3.5 }], plan);
    const x = cpuFieldBackend.irfft(cpuFieldBackend.unbind(field, [{ key, amplitude: 3.5 }]), plan)[0]!;
    const want = centre(bytes);
    for (let i = 0; i < d; i++) expect(Math.abs(x[i]! - (want[i] ?? 0))).toBeLessThan(1e-12);
  });

  it('clean-up finds every stored value among 64 candidates (D = 4096, 16 items)', () => {
    const c = corpus(4096);
    const candidates = [...c.values, ...Array.from({ length: 64 - c.values.length }, (_, i) => codeSpectrum(phaseCode(SECRET, valueCodeId(seededBytes(32, 900 + i)), 4096)))];
    const field = new HoloField(4096);
    cpuFieldBackend.bindSpectra(field, c.values.map((item, i) => ({ key: c.keys[i]!, item })));
    const results = cpuFieldBackend.cleanUp(field, c.keys.map((key) => ({ key })), candidates);
    expect(results.map((r) => r.index)).toEqual(c.keys.map((_, i) => i));
    for (const r of results) expect(r.margin).toBeGreaterThan(0.5);
  });
});

describe.runIf(addon !== undefined)('CUDA kernel arithmetic, emulated on the host (native/cuda/emulate.cc), vs the CPU path', () => {
  if (addon) parityChecks(createCudaFieldBackend(addon.emulated, 'cuda-emulated', 'host'), addon.emulated);
});

describe.runIf(hasGpu)('CUDA device vs the CPU path (bitwise)', () => {
  if (addon && hasGpu) parityChecks(createCudaFieldBackend(addon.cuda, 'cuda', addon.deviceName()), addon.cuda);
});

it.runIf(!hasGpu)('no GPU on this host: CUDA parity not run; CPU path checked', () => {
  console.log(`no GPU on this host (${devices ? `${devices.message}, cudaError ${devices.error}` : addonError}): CUDA device parity not run; CPU path and emulated kernel arithmetic checked`);
  expect(hasGpu).toBe(false);
  expect(fieldBackendChoice().backend).toBe(cpuFieldBackend);
});
