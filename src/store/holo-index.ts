import { createHash } from 'node:crypto';
import { ErrorCode, fail } from '../errors.js';
import { admit, type CapacityPolicy, type CapacityState, type Eviction, type Placement, type Resident } from '../holo/allocation.js';
import { codeSeed, keyCodeId, valueCodeId } from '../holo/codebook.js';
import type { HalfSpectrum } from '../holo/fft.js';
import { HoloField, rankScores, type CleanUp } from '../holo/field.js';
import { FIELD_LAYERS } from '../holo/layers.js';
import { probeCleanUps } from '../holo/probe.js';
import { kernels } from '../kernels/index.js';
import type { ContainerSection } from './field-container.js';

/** One bound pair: key code p_κ(doc, index) ⊛ value code c(digest). */
export interface BoundItem {
  readonly doc: Uint8Array;
  readonly index: number;
  readonly digest: Uint8Array;
}

/** One field of a layer (the primary field or a spill shard) with the pairs bound in it. */
export class FieldShard {
  readonly field: HoloField;
  readonly items: BoundItem[] = [];
  /** Distinct value digests bound here (hex → digest): the clean-up candidates. */
  readonly candidates = new Map<string, Uint8Array>();
  /**
   * Documents bound here (hex id → id bytes, their digests and their admission number), in admission order: `add`
   * appends new admissions, and loads and rebalances add in admission order. Eviction takes them in this order.
   */
  readonly documents = new Map<string, { doc: Uint8Array; digests: Uint8Array; seq: number }>();
  constructor(dimension: number) {
    this.field = new HoloField(dimension, 'f32', true);
  }
}

export interface ProbeTotals {
  readonly probes: number;
  readonly misses: number;
  readonly snr_measured: number | null;
}

const PROBES_PER_SHARD = 16;
/** Candidates scored in full after the partial first stage of a clean-up. */
const SHORTLIST = 8;
const PARTIAL_BINS = 8192;
const PROBE_CANDIDATES = 32;

function docDigest(layer: number, shard: number, doc: Uint8Array): Buffer {
  return createHash('sha256').update(Uint8Array.of(layer, shard & 0xff, shard >>> 8)).update(doc).digest();
}

/** The read through the field of a document evicted from it (capacity policy evict) is refused; its bytes stay. */
export function refuseEvicted(id: string, layer: string): never {
  return fail(ErrorCode.INVALID, `document ${id} was evicted from the ${layer} field (capacity policy evict): its bytes are still stored, read them with getDocument`);
}

/** Evenly spaced picks of up to `count` elements. */
function spread<T>(list: readonly T[], count: number): T[] {
  if (list.length <= count) return [...list];
  return Array.from({ length: count }, (_, i) => list[Math.floor((i * list.length) / count)]!);
}

/**
 * The six layer fields of one generation: capacity state, shards, and the bound pairs. Fields are rebuilt, never
 * resized (a rebalance makes a new HoloIndex). `bindDigest` (XOR over bound documents) tells whether a saved
 * container holds exactly the recorded bindings.
 */
export class HoloIndex {
  readonly shards: FieldShard[][];
  readonly bindDigest = Buffer.alloc(32);
  #state: CapacityState;
  /** The admission sequence number the next `add` without one gets (FIFO order for eviction). */
  #nextSeq = 0;

  constructor(private readonly secret: Uint8Array, state: CapacityState, readonly generation: number) {
    this.#state = state;
    this.shards = state.layers.map((shards) => shards.map((s) => new FieldShard(s.dimension)));
  }

  get state(): CapacityState {
    return this.#state;
  }

  /**
   * Admits `count` items into a layer (§3.6, all-or-nothing); nothing changes until `commit`. Under 'evict' the
   * documents to evict (oldest admitted first) come back for the caller to `evict` and unbind.
   */
  admit(layer: number, count: number, policy: CapacityPolicy): { state: CapacityState; placement: Placement; evictions: Eviction[] } {
    const { state, placements, evictions } = admit(this.#state, [{ layer, count }], policy, (k, s) => this.#residents(k, s));
    return { state, placement: placements[0]!, evictions };
  }

  /** The documents of a shard, oldest admitted first (lazily: an eviction usually needs only the first few). */
  *#residents(layer: number, shard: number): Generator<Resident> {
    for (const [id, { digests }] of this.shards[layer]?.[shard]?.documents ?? []) yield { id, count: digests.length / 32 };
  }

  /** Applies an admitted state, opening the spill shard it may have added. */
  commit(state: CapacityState): void {
    state.layers.forEach((shards, k) => {
      for (let s = this.shards[k]!.length; s < shards.length; s++) this.shards[k]!.push(new FieldShard(shards[s]!.dimension));
    });
    this.#state = state;
  }

  /** The shard of a layer holding a document, if any. */
  shardOf(layer: number, docHex: string): number | undefined {
    const i = this.shards[layer]?.findIndex((s) => s.documents.has(docHex)) ?? -1;
    return i < 0 ? undefined : i;
  }

  /**
   * The clean-up scores ⟨ψ, b(c(h), κ)⟩ (≈ 1 for the bound value, ≈ 0 ± √(N/D) otherwise) of each candidate digest h
   * under the key of chunk `index` of `doc`, over every bin, straight from the codes' seeds: nothing of size D is
   * materialised per candidate.
   */
  scores(target: FieldShard, layer: number, doc: Uint8Array, index: number, candidates: readonly Uint8Array[]): Float64Array {
    const d = target.field.dimension;
    const key = this.#keySeed(layer, doc, index);
    const { re, im } = target.field.spectrum as HalfSpectrum<Float32Array>;
    const scale = 1 / Math.sqrt(d);
    return Float64Array.from(candidates, (c) => scale * kernels().phasePairDot(key, this.#valueSeed(c), d, 0, d / 2 + 1, re, im));
  }

  /**
   * The same scores, to float32 rounding, over bins [0, bins), for ranking only: ψ is unbound from the key code once,
   * u = ψ ⊙ conj(P_κ) (as float32), and each candidate scores Re⟨u, P_h⟩ with phaseCodeDotF32: one phase stream per bin
   * instead of two, cos/sin in float32.
   */
  rankingScores(target: FieldShard, layer: number, doc: Uint8Array, index: number, candidates: readonly Uint8Array[], bins: number): Float64Array {
    const d = target.field.dimension;
    const { re, im } = target.field.spectrum as HalfSpectrum<Float32Array>;
    const cos = new Float64Array(bins), sin = new Float64Array(bins);
    kernels().phaseCodeRange(this.#keySeed(layer, doc, index), d, 0, bins, cos, sin);
    const ur = new Float32Array(bins), ui = new Float32Array(bins);
    for (let k = 0; k < bins; k++) {
      ur[k] = re[k]! * cos[k]! + im[k]! * sin[k]!;
      ui[k] = im[k]! * cos[k]! - re[k]! * sin[k]!;
    }
    const scale = 1 / Math.sqrt(d);
    return Float64Array.from(candidates, (c) => scale * kernels().phaseCodeDotF32(this.#valueSeed(c), d, 0, bins, ur, ui));
  }

  /** The seeds of a pair's key code and value code, 8 words: what the bind kernels take (src/holo/phase-pair.ts). */
  pairSeeds(layer: number, item: BoundItem): Uint32Array {
    const seeds = new Uint32Array(8);
    seeds.set(this.#keySeed(layer, item.doc, item.index));
    seeds.set(this.#valueSeed(item.digest), 4);
    return seeds;
  }

  /** The seed of the key code of chunk `index` of `doc` in `layer` (holo-store.md §3.2). */
  #keySeed(layer: number, doc: Uint8Array, index: number): Uint32Array {
    return codeSeed(this.secret, keyCodeId(layer, doc, index));
  }

  /** The seed of the value code of a chunk digest. */
  #valueSeed(digest: Uint8Array): Uint32Array {
    return codeSeed(this.secret, valueCodeId(digest));
  }

  /**
   * ψ += b(c(h), κ) = P_κ ⊙ P_h / √D for one pair, in this thread, from the two codes' seeds: e^{i(θ_κ+θ_h)} needs one
   * cos/sin per bin instead of two codes' worth (the same sum superpose(P_κ, codeSpectrum(P_h)) computes).
   */
  bindPair(layer: number, shard: number, item: BoundItem, sign: 1 | -1 = 1): void {
    const field = (this.shards[layer]?.[shard] ?? fail(ErrorCode.STATE, `layer ${layer} has no shard ${shard}`)).field;
    const d = field.dimension, bins = d / 2 + 1;
    const seeds = this.pairSeeds(layer, item);
    const { re, im } = field.spectrum as HalfSpectrum<Float32Array>;
    // sign −1 unbinds (eviction): the same per-bin terms subtracted, so ψ returns to its value to float rounding.
    kernels().bindPhasePair(seeds.subarray(0, 4), seeds.subarray(4), d, 0, bins, sign / Math.sqrt(d), re, im);
    field.items += sign;
  }

  /**
   * Records a document's pairs in a shard (admission number `seq`, default the next one; returned); with `bind` also
   * superposes them into its field.
   */
  add(layer: number, shard: number, doc: Uint8Array, digests: Uint8Array, bind: boolean, seq = this.#nextSeq): number {
    const target = this.shards[layer]?.[shard] ?? fail(ErrorCode.STATE, `layer ${layer} has no shard ${shard}`);
    this.#nextSeq = Math.max(this.#nextSeq, seq + 1);
    target.documents.set(Buffer.from(doc).toString('hex'), { doc, digests, seq });
    for (let i = 0; i < digests.length / 32; i++) {
      const digest = digests.subarray(i * 32, (i + 1) * 32);
      target.items.push({ doc, index: i, digest });
      target.candidates.set(Buffer.from(digest).toString('hex'), digest);
    }
    if (bind) this.bindDocument(layer, shard, doc, digests);
    this.#mark(layer, shard, doc);
    return seq;
  }

  /** Superposes every pair of a document (chunk i under digest i) into a shard's field (sign −1: takes them out); records nothing. */
  bindDocument(layer: number, shard: number, doc: Uint8Array, digests: Uint8Array, sign: 1 | -1 = 1): void {
    for (let i = 0; i < digests.length / 32; i++) this.bindPair(layer, shard, { doc, index: i, digest: digests.subarray(i * 32, (i + 1) * 32) }, sign);
  }

  /** Forgets a document recorded with `add(..., false)` whose store did not commit, giving its capacity back. */
  remove(layer: number, shard: number, doc: Uint8Array, digests: Uint8Array): void {
    if (this.#forget(layer, shard, doc).length === 0) return;
    const count = digests.length / 32;
    this.#state = {
      ...this.#state,
      layers: this.#state.layers.map((shards, k) => (k !== layer ? shards : shards.map((s, i) => (i === shard ? { dimension: s.dimension, items: s.items - count } : s)))),
    };
  }

  /**
   * Forgets a document `admit` chose to evict (the committed state already counts it out) and returns the pairs it
   * held, for the caller to unbind from the field.
   */
  evict(layer: number, shard: number, id: string): BoundItem[] {
    const entry = this.shards[layer]?.[shard]?.documents.get(id) ?? fail(ErrorCode.STATE, `document ${id} to evict is not in shard ${shard} of layer ${layer}`);
    return this.#forget(layer, shard, entry.doc);
  }

  /** Drops a document's pairs and candidates from a shard's records; returns them (none if it was not there). */
  #forget(layer: number, shard: number, doc: Uint8Array): BoundItem[] {
    const target = this.shards[layer]?.[shard] ?? fail(ErrorCode.STATE, `layer ${layer} has no shard ${shard}`);
    const hex = Buffer.from(doc).toString('hex');
    const entry = target.documents.get(hex);
    if (!entry) return [];
    target.documents.delete(hex);
    const kept: BoundItem[] = [], removed: BoundItem[] = [];
    for (const it of target.items) (it.doc === entry.doc ? removed : kept).push(it);
    target.items.length = 0;
    for (const it of kept) target.items.push(it); // not splice(...kept): a long spread overflows the stack
    target.candidates.clear();
    for (const it of kept) target.candidates.set(Buffer.from(it.digest).toString('hex'), it.digest);
    this.#mark(layer, shard, doc);
    return removed;
  }

  #mark(layer: number, shard: number, doc: Uint8Array): void {
    const mark = docDigest(layer, shard, doc);
    for (let i = 0; i < 32; i++) this.bindDigest[i]! ^= mark[i]!;
  }

  /** Every recorded pair with where it goes (after `add(..., false)`): what a rebuild binds. */
  *recorded(): Generator<{ layer: number; shard: number; item: BoundItem }> {
    for (const [layer, shards] of this.shards.entries()) for (const [shard, s] of shards.entries()) for (const item of s.items) yield { layer, shard, item };
  }

  /** Unbind + clean-up of chunk `index` of `doc` over the shard's candidates: the best digest and its margin. */
  recall(layer: number, shard: number, doc: Uint8Array, index: number): { digest: Uint8Array; result: CleanUp } {
    const target = this.shards[layer]?.[shard] ?? fail(ErrorCode.STATE, `layer ${layer} has no shard ${shard}`);
    const candidates = [...target.candidates.values()];
    if (candidates.length === 0) fail(ErrorCode.STATE, `layer ${FIELD_LAYERS[layer]!.name} shard ${shard} holds nothing`);
    const shortlist = this.#shortlist(target, layer, doc, index, candidates);
    const result = rankScores(this.scores(target, layer, doc, index, shortlist));
    return { digest: shortlist[result.index]!, result };
  }

  /**
   * Clean-up in two stages when scoring every candidate in full would be costly: all candidates are scored on the
   * first B bins of the spectrum (B = max(8192, 16·C), so the partial SNR stays about √(2B/N); rankingScores), and the
   * best SHORTLIST of them are scored in full; the margin is taken among those.
   */
  #shortlist(target: FieldShard, layer: number, doc: Uint8Array, index: number, candidates: Uint8Array[]): Uint8Array[] {
    const d = target.field.dimension;
    const bins = Math.min(d / 2 + 1, Math.max(PARTIAL_BINS, 16 * candidates.length));
    if (candidates.length <= SHORTLIST || bins > d / 4) return candidates;
    const partial = this.rankingScores(target, layer, doc, index, candidates, bins);
    return [...partial.keys()].sort((a, b) => partial[b]! - partial[a]!).slice(0, SHORTLIST).map((i) => candidates[i]!);
  }

  /** snr_measured and misses of a layer over a deterministic probe sample of each shard (spec §4). */
  probe(layer: number, margin: number): ProbeTotals {
    let probes = 0, misses = 0, weighted = 0, measured = 0;
    for (const shard of this.shards[layer] ?? []) {
      if (shard.candidates.size < 2) continue;
      const sample = spread(shard.items, PROBES_PER_SHARD);
      const chosen = new Map<string, Uint8Array>(sample.map((it) => [Buffer.from(it.digest).toString('hex'), it.digest]));
      for (const [hex, digest] of spread([...shard.candidates], PROBE_CANDIDATES)) {
        if (chosen.size >= Math.max(PROBE_CANDIDATES, sample.length)) break;
        chosen.set(hex, digest);
      }
      const hexes = [...chosen.keys()];
      const digests = [...chosen.values()];
      const r = probeCleanUps(sample.map((it) => ({
        result: rankScores(this.scores(shard, layer, it.doc, it.index, digests)),
        truth: hexes.indexOf(Buffer.from(it.digest).toString('hex')),
      })), margin);
      probes += r.probes;
      misses += r.misses;
      if (r.snr_measured !== null) {
        weighted += r.snr_measured * r.probes;
        measured += r.probes;
      }
    }
    return { probes, misses, snr_measured: measured === 0 ? null : weighted / measured };
  }

  /** The fields as container sections, layer by layer, shard by shard. */
  sections(): ContainerSection[] {
    return this.shards.flat().map(({ field }) => ({ re: field.spectrum.re as Float32Array, im: field.spectrum.im as Float32Array }));
  }

  /** Loads ψ from container sections written by `sections()` for the same shard layout. */
  load(sections: readonly ContainerSection[]): void {
    const fields = this.shards.flat();
    if (sections.length !== fields.length) fail(ErrorCode.STATE, `field container holds ${sections.length} fields, the index has ${fields.length}`);
    fields.forEach(({ field }, i) => {
      const s = sections[i]!;
      if (s.re.length !== field.spectrum.re.length) fail(ErrorCode.STATE, `field container section ${i} has ${s.re.length} bins, expected ${field.spectrum.re.length}`);
      field.spectrum.re.set(s.re);
      field.spectrum.im.set(s.im);
    });
    this.shards.forEach((shards) => shards.forEach((s) => (s.field.items = s.items.length)));
  }
}
