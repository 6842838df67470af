import { ErrorCode, fail } from '../errors.js';
import type { PhaseCode } from './codebook.js';
import type { FloatArray, HalfSpectrum } from './fft.js';
import { cleanUp, type CleanUp, type HoloField } from './field.js';
import { bitErrorRate, snrMeasured } from './telemetry.js';

/** Default clean-up margin τ (spec §5): a best match closer than this to the runner-up counts as ambiguous. */
export const DEFAULT_MARGIN = 0.5;

export interface ProbeResult {
  readonly probes: number;
  /** Clean-ups that picked a wrong candidate or won by less than τ. */
  readonly misses: number;
  readonly snr_measured: number | null;
  readonly ber: number;
}

/**
 * Measures a layer field on a probe sample: each probe is a stored key with the index of its true value among
 * `candidates`; every probe is cleaned up against all candidates. snr_measured and ber follow spec §4.
 */
export function probeField(
  field: HoloField,
  probes: readonly { key: PhaseCode; truth: number; amplitude?: number }[],
  candidates: readonly HalfSpectrum<FloatArray>[],
  margin = DEFAULT_MARGIN,
): ProbeResult {
  if (candidates.length < 2) fail(ErrorCode.INVALID, 'probing needs at least two candidates');
  return probeCleanUps(probes.map(({ key, truth, amplitude }) => {
    if (!Number.isInteger(truth) || truth < 0 || truth >= candidates.length) fail(ErrorCode.INVALID, `probe truth ${truth} is not a candidate index`);
    return { result: cleanUp(field, key, candidates, amplitude ?? 1), truth };
  }), margin);
}

/** snr_measured and ber of clean-ups whose true candidate is known (however their scores were computed). */
export function probeCleanUps(cleanUps: readonly { result: CleanUp; truth: number }[], margin = DEFAULT_MARGIN): ProbeResult {
  const trueScores: number[] = [];
  const wrongScores: number[] = [];
  let misses = 0;
  for (const { result, truth } of cleanUps) {
    result.scores.forEach((score, i) => (i === truth ? trueScores : wrongScores).push(score));
    if (result.index !== truth || result.margin < margin) misses++;
  }
  return { probes: cleanUps.length, misses, snr_measured: snrMeasured(trueScores, wrongScores), ber: bitErrorRate(misses, cleanUps.length) };
}
