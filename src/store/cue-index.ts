import { ErrorCode, fail } from '../errors.js';
import { bindCue, cueKeySeed, cueNorm, scoreCueKey, unbindByCue, whitenedSpectrum } from '../holo/cue-code.js';
import { createFftPlan, type HalfSpectrum } from '../holo/fft.js';
import { LAYERS, type LayerName } from '../holo/layers.js';
import { PAYLOAD_SIZE } from '../framing/structure.js';
import { STRUCTURE_SIZE } from '../l3/phi.js';
import type { ContainerSection } from './field-container.js';

/** D_c: one structure (12,288 samples) zero-padded to a power of two; an rfft of it costs about a millisecond in JS. */
export const CUE_DIMENSION = 1 << 14;
/**
 * S: the detection SNR each cue shard keeps (N ≤ D_c/S²). The clean-up runs over every candidate of the layers
 * searched, so the best wrong score is about √(2 ln N_total)/S: at S = 16 it stays near 0.33 up to 10^6 structures,
 * leaving a true match (score ≈ 1) clear of the default τ = 0.5.
 */
export const CUE_STRENGTH = 16;
export const CUE_SHARD_ITEMS = CUE_DIMENSION / CUE_STRENGTH ** 2;
/** Bins of the first clean-up stage: its per-candidate SNR is √(2B/N_shard) ≈ 5.7 at B = 1024, N_shard = 64. */
const PARTIAL_BINS = 1024;
/** Candidates of the first stage scored in full. */
const SHORTLIST = 8;
const BINS = CUE_DIMENSION / 2;

export interface CueDocument {
  readonly layer: number;
  readonly id: string;
  readonly digests: Uint8Array;
}

export interface CueMatch {
  readonly layer: number;
  readonly id: string;
  readonly index: number;
  readonly digest: Uint8Array;
  /** ≈ 1 for the structure the cue came from, ≈ 0 ± 1/S for any other. */
  readonly score: number;
  /** Best score minus the best score of a structure with another digest (the best score when there is none). */
  readonly margin: number;
}

/** A structure found by its noisy cue: where it is stored, how clearly it won, and its verified payload bytes. */
export interface CueRecall {
  readonly id: string;
  readonly index: number;
  readonly layer: LayerName;
  readonly digest: string;
  readonly score: number;
  readonly margin: number;
  readonly bytes: Uint8Array;
}

/** What a saved cue container holds besides the shards: the documents bound, per layer, in binding order. */
export interface CueHeader {
  readonly kind: 'cue';
  readonly dimension: number;
  readonly strength: number;
  readonly documents: string[][];
}

interface CueItem {
  readonly id: string;
  readonly index: number;
  readonly digest: Uint8Array;
  readonly seed: Uint32Array;
}

interface CueShard {
  readonly re: Float32Array;
  readonly im: Float32Array;
  readonly items: CueItem[];
}

/**
 * The content cue index of the field layers: cue shards of D_c bins binding cue key p_κ(doc, i) ⊛ whitened content
 * of each distinct structure of a layer (cue-code.ts), opened as the layer grows so each keeps N ≤ D_c/S². It is
 * derived data: built from the stored structures, saved as a field container, and never touched by ingest.
 */
export class CueIndex {
  readonly #plan = createFftPlan(CUE_DIMENSION);
  readonly #shards: CueShard[][] = LAYERS.map(() => []);
  readonly #documents: string[][] = LAYERS.map(() => []);
  readonly #indexed: Set<string>[] = LAYERS.map(() => new Set());
  /** Distinct digests (hex) per layer: a structure stored twice is bound once. */
  readonly #digests: Set<string>[] = LAYERS.map(() => new Set());

  constructor(private readonly secret: Uint8Array) {}

  /** A saved index when its header and shards fit the documents the store records (`digestsOf`), else undefined. */
  static restore(secret: Uint8Array, header: CueHeader, sections: readonly ContainerSection[], digestsOf: (layer: number, id: string) => Uint8Array | undefined): CueIndex | undefined {
    if (header.kind !== 'cue' || header.dimension !== CUE_DIMENSION || header.strength !== CUE_STRENGTH || header.documents.length !== LAYERS.length) return undefined;
    const index = new CueIndex(secret);
    for (const [layer, ids] of header.documents.entries()) {
      for (const id of ids) {
        const digests = digestsOf(layer, id);
        if (digests === undefined) return undefined;
        index.add({ layer, id, digests });
      }
    }
    const shards = index.#shards.flat();
    if (shards.length !== sections.length || sections.some((s) => s.re.length !== BINS + 1)) return undefined;
    shards.forEach((shard, i) => {
      shard.re.set(sections[i]!.re);
      shard.im.set(sections[i]!.im);
    });
    return index;
  }

  get items(): number {
    return this.#shards.reduce((sum, shards) => sum + shards.reduce((s, x) => s + x.items.length, 0), 0);
  }

  has(layer: number, id: string): boolean {
    return this.#indexed[layer]!.has(id);
  }

  /** Records a document's distinct structures; with `read` (verified bytes by digest) also binds them. */
  add(document: CueDocument, read?: (digest: Uint8Array, index: number) => Uint8Array): void {
    const { layer, id, digests } = document;
    if (this.#indexed[layer]!.has(id)) return;
    const doc = Buffer.from(id, 'hex');
    for (let i = 0; i < digests.length / 32; i++) {
      const digest = digests.subarray(i * 32, (i + 1) * 32);
      const hex = Buffer.from(digest).toString('hex');
      if (this.#digests[layer]!.has(hex)) continue;
      this.#digests[layer]!.add(hex);
      const item: CueItem = { id, index: i, digest, seed: cueKeySeed(this.secret, layer, doc, i) };
      const shard = this.#openShard(layer);
      shard.items.push(item);
      if (read) bindCue(shard.re, shard.im, item.seed, this.spectrum(read(digest, i)));
    }
    this.#indexed[layer]!.add(id);
    this.#documents[layer]!.push(id);
  }

  #openShard(layer: number): CueShard {
    const shards = this.#shards[layer]!;
    const last = shards[shards.length - 1];
    if (last && last.items.length < CUE_SHARD_ITEMS) return last;
    const shard: CueShard = { re: new Float32Array(BINS + 1), im: new Float32Array(BINS + 1), items: [] };
    shards.push(shard);
    return shard;
  }

  /** The whitened spectrum of a structure's or a cue's payload bytes (a conservation byte, if any, is left out). */
  spectrum(bytes: Uint8Array): HalfSpectrum {
    if (bytes.length > STRUCTURE_SIZE) fail(ErrorCode.INVALID, `a cue is at most one structure (${STRUCTURE_SIZE} bytes), got ${bytes.length}`);
    return whitenedSpectrum(bytes.subarray(0, PAYLOAD_SIZE), this.#plan);
  }

  /**
   * Unbinds every shard of `layers` by the cue and cleans up over their candidate keys: all are scored on the first
   * PARTIAL_BINS bins, the best SHORTLIST in full. Undefined when the layers hold nothing.
   */
  match(cue: Uint8Array, layers: readonly number[]): CueMatch | undefined {
    const spectrum = this.spectrum(cue);
    const norm = cueNorm(spectrum, BINS);
    if (norm === 0) fail(ErrorCode.INVALID, 'the cue carries no content (its bytes, trailing zeros aside, are all equal)');
    const candidates = layers.flatMap((layer) => this.#shards[layer]!.map((shard) => ({ layer, shard })));
    const total = candidates.reduce((s, c) => s + c.shard.items.length, 0);
    if (total === 0) return undefined;
    let shortlist: { layer: number; shard: CueShard; item: CueItem; score: number }[] = [];
    for (const { layer, shard } of candidates) {
      // One shard's partial unbind at a time: the tables of every shard together would be large.
      const partial = total > SHORTLIST ? unbindByCue(shard.re, shard.im, spectrum, PARTIAL_BINS) : undefined;
      for (const item of shard.items) {
        const score = partial ? scoreCueKey(partial, item.seed, PARTIAL_BINS) : 0;
        if (shortlist.length === SHORTLIST && score <= shortlist[SHORTLIST - 1]!.score) continue;
        shortlist.push({ layer, shard, item, score });
        if (shortlist.length >= SHORTLIST) shortlist = shortlist.sort((a, b) => b.score - a.score).slice(0, SHORTLIST);
      }
    }
    const full = new Map<CueShard, Float64Array>();
    for (const c of shortlist) {
      if (!full.has(c.shard)) full.set(c.shard, unbindByCue(c.shard.re, c.shard.im, spectrum, BINS));
      c.score = scoreCueKey(full.get(c.shard)!, c.item.seed, BINS) / norm;
    }
    shortlist.sort((a, b) => b.score - a.score);
    const best = shortlist[0]!;
    const rival = shortlist.find((c) => !Buffer.from(c.item.digest).equals(best.item.digest));
    return { layer: best.layer, id: best.item.id, index: best.item.index, digest: best.item.digest, score: best.score, margin: rival ? best.score - rival.score : best.score };
  }

  header(): CueHeader {
    return { kind: 'cue', dimension: CUE_DIMENSION, strength: CUE_STRENGTH, documents: this.#documents.map((ids) => [...ids]) };
  }

  /** The shards as container sections, layer by layer, in the order `restore` expects. */
  sections(): ContainerSection[] {
    return this.#shards.flat().map(({ re, im }) => ({ re, im }));
  }
}
