import { ErrorCode, fail } from '../errors.js';
import type { CleanUp } from '../holo/index.js';

/**
 * The clean-up result for one probe's candidate scores: a copy of src/holo/field.ts's private rank(), to be replaced by
 * an import once field.ts exports it (src/holo is not this module's to edit).
 */
export function rankScores(scores: Float64Array): CleanUp {
  if (scores.length === 0) fail(ErrorCode.INVALID, 'clean-up needs at least one candidate');
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  let second = -Infinity;
  for (let i = 0; i < scores.length; i++) if (i !== best && scores[i]! > second) second = scores[i]!;
  const score = scores[best]!;
  return { index: best, score, margin: scores.length === 1 ? score : score - second, scores };
}
