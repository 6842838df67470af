import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { FIELD_LAYERS, LAYERS, VAULT, resolveLayer } from '../../src/holo/layers.js';

describe('layers', () => {
  it('are the seven of the spec table with their weights and target SNRs', () => {
    expect(LAYERS.map((l) => [l.index, l.name, l.weight, l.targetSnr, l.hasField])).toEqual([
      [0, 'identity', 1.0, 10, true],
      [1, 'knowledge', 0.9, 8, true],
      [2, 'experience', 0.8, 6, true],
      [3, 'preference', 0.7, 5, true],
      [4, 'context', 0.6, 4, true],
      [5, 'wisdom', 0.5, 3, true],
      [6, 'vault', 0.4, 2, false],
    ]);
    expect(FIELD_LAYERS.map((l) => l.name)).toEqual(['identity', 'knowledge', 'experience', 'preference', 'context', 'wisdom']);
    expect(VAULT.name).toBe('vault');
    expect(Object.isFrozen(LAYERS) && Object.isFrozen(LAYERS[0])).toBe(true);
  });

  it('resolve by name, number or decimal string, and reject anything else', () => {
    expect(resolveLayer('Context')).toBe(LAYERS[4]);
    expect(resolveLayer(6)).toBe(VAULT);
    expect(resolveLayer(' 2 ')).toBe(LAYERS[2]);
    for (const bad of [7, -1, 0.5, 'auto', 'memory', '']) expect(() => resolveLayer(bad)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID }));
  });
});

describe('src/holo/index.ts', () => {
  it('re-exports the building blocks', async () => {
    const holo = await import('../../src/holo/index.js');
    for (const name of ['routeToLayer', 'HoloField', 'phaseCode', 'allocateDimensions', 'admit', 'eccEncode', 'eccDecode', 'sealChunk', 'openChunk', 'snrPredicted', 'createFftPlan']) {
      expect(typeof (holo as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
