import { AtlasError, ErrorCode, fail } from '../errors.js';
import { FIELD_LAYERS, LAYERS } from './layers.js';

export const DEFAULT_HEADROOM = 64;

/**
 * What a store beyond capacity does (§3.6): `reject` throws CapacityError; `spill` opens a new shard from the reserve;
 * `evict` unbinds the layer's oldest documents (FIFO by admission order) from its last shard until the new one fits.
 * Evicted documents keep their bytes (get/verify by id) but leave the field, its candidates and N_k.
 */
export type CapacityPolicy = 'reject' | 'spill' | 'evict';

export const CAPACITY_POLICIES: readonly CapacityPolicy[] = Object.freeze(['reject', 'spill', 'evict']);

export function requirePolicy(policy: unknown): CapacityPolicy {
  if (!CAPACITY_POLICIES.includes(policy as CapacityPolicy)) fail(ErrorCode.INVALID, `capacity policy must be ${CAPACITY_POLICIES.join(', ')}, got ${String(policy)}`);
  return policy as CapacityPolicy;
}

/**
 * A store that would break (N_k + n_k)·S_k² ≤ D_k under policy reject, with too little reserve to spill, or too large
 * to fit by evicting. Its name stays AtlasError: across threads only name and message survive, and reviveError turns
 * an AtlasError back into one with its code (BUDGET), which is what callers there can act on.
 */
export class CapacityError extends AtlasError {
  readonly layer: number;
  readonly N_k: number;
  readonly n_k: number;
  readonly D_k: number;
  constructor(layer: number, items: number, adding: number, dimension: number, why: string) {
    super(ErrorCode.BUDGET, `capacity of layer ${LAYERS[layer]?.name ?? layer} exceeded: (N_k + n_k)·S_k² = (${items} + ${adding})·${LAYERS[layer]?.targetSnr ?? '?'}² > D_k = ${dimension}; ${why}`);
    this.layer = layer;
    this.N_k = items;
    this.n_k = adding;
    this.D_k = dimension;
  }
}

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function requireCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(ErrorCode.INVALID, `${what} must be a non-negative integer, got ${String(value)}`);
  return value;
}

/** nextPow2(⌈S_k²·(N_k + h)⌉): the smallest power-of-two field that meets layer k's target SNR with headroom h. */
export function floorDimension(layer: number, items: number, headroom = DEFAULT_HEADROOM): number {
  const snr = FIELD_LAYERS[layer]?.targetSnr ?? fail(ErrorCode.INVALID, `layer ${layer} has no field`);
  return nextPow2(Math.ceil(snr * snr * (items + headroom)));
}

export type Allocation =
  | { readonly feasible: true; readonly floors: number[]; readonly dimensions: number[]; readonly reserve: number }
  | { readonly feasible: false; readonly floors: number[]; readonly required: number; readonly total: number };

/**
 * §3.5: power-of-two floors, then the weighted water-fill D_k ∝ w_k²/N_k on what the floors leave of M, each D_k the
 * largest power of two ≤ its target (never below its floor); M − ΣD is the reserve for spill shards.
 * items holds N_k for the six field layers.
 */
export function allocateDimensions(total: number, items: readonly number[], headroom = DEFAULT_HEADROOM): Allocation {
  requireCount(total, 'total floats M');
  requireCount(headroom, 'headroom');
  if (items.length !== FIELD_LAYERS.length) fail(ErrorCode.INVALID, `need the item counts of ${FIELD_LAYERS.length} field layers, got ${items.length}`);
  items.forEach((n, k) => requireCount(n, `items of layer ${k}`));
  const floors = items.map((n, k) => floorDimension(k, n, headroom));
  const required = floors.reduce((s, p) => s + p, 0);
  if (required > total) return { feasible: false, floors, required, total };
  const weights = items.map((n, k) => FIELD_LAYERS[k]!.weight ** 2 / Math.max(n, 1));
  const weightSum = weights.reduce((s, q) => s + q, 0);
  const dimensions = floors.map((p, k) => {
    const target = p + ((total - required) * weights[k]!) / weightSum;
    let d = p;
    while (d * 2 <= target) d *= 2;
    return d;
  });
  return { feasible: true, floors, dimensions, reserve: total - dimensions.reduce((s, d) => s + d, 0) };
}

export interface FieldShard {
  readonly dimension: number;
  readonly items: number;
}

/** Per field layer: its shards (index 0 the primary field, the rest spill shards); plus the unallocated reserve. */
export interface CapacityState {
  readonly layers: readonly (readonly FieldShard[])[];
  readonly reserve: number;
  readonly headroom: number;
}

export function capacityState(allocation: Allocation, items: readonly number[], headroom = DEFAULT_HEADROOM): CapacityState {
  if (!allocation.feasible) {
    fail(ErrorCode.BUDGET, `infeasible allocation: the floors need ${allocation.required} floats (${allocation.floors.join('/')}) but M = ${allocation.total}`);
  }
  return { layers: allocation.dimensions.map((dimension, k) => [{ dimension, items: items[k] ?? 0 }]), reserve: allocation.reserve, headroom };
}

export interface Placement {
  readonly layer: number;
  readonly shard: number;
  readonly count: number;
  readonly spilled: boolean;
}

/** A bound document as eviction sees it: its id and the items it holds in its shard. */
export interface Resident {
  readonly id: string;
  readonly count: number;
}

/** A document `evict` unbinds from a shard to make room. */
export interface Eviction extends Resident {
  readonly layer: number;
  readonly shard: number;
}

/** The documents bound in a shard, oldest admitted first: what `evict` may unbind. */
export type Residents = (layer: number, shard: number) => Iterable<Resident>;

/**
 * §3.6, all-or-nothing: every addition {layer, count} must fit a shard with (N + n)·S² ≤ D. Under 'spill' a layer
 * that fits nowhere gets a new shard of nextPow2(S²(n + h)) floats from the reserve; under 'evict' the oldest
 * `residents` of its last shard are evicted until it fits there (n·S² > D of that shard cannot fit at all). Anything
 * that still does not fit throws CapacityError and nothing is admitted. Pure: returns the new state and the evictions
 * to apply; D of an existing shard never changes.
 */
export function admit(
  state: CapacityState, additions: readonly { layer: number; count: number }[], policy: CapacityPolicy, residents: Residents = () => [],
): { state: CapacityState; placements: Placement[]; evictions: Eviction[] } {
  requirePolicy(policy);
  const layers = state.layers.map((shards) => [...shards]);
  let reserve = state.reserve;
  const placements: Placement[] = [];
  const evictions: Eviction[] = [];
  for (const { layer, count } of additions) {
    const shards = layers[layer] ?? fail(ErrorCode.INVALID, `layer ${String(layer)} has no field to bind into`);
    requireCount(count, `item count for layer ${layer}`);
    const s2 = FIELD_LAYERS[layer]!.targetSnr ** 2;
    const shard = shards.findIndex((f) => (f.items + count) * s2 <= f.dimension);
    if (shard >= 0) {
      shards[shard] = { dimension: shards[shard]!.dimension, items: shards[shard]!.items + count };
      placements.push({ layer, shard, count, spilled: false });
      continue;
    }
    const lastIndex = shards.length - 1;
    const last = shards[lastIndex]!;
    if (policy === 'reject') throw new CapacityError(layer, last.items, count, last.dimension, 'policy is reject');
    if (policy === 'evict') {
      if (count * s2 > last.dimension) throw new CapacityError(layer, last.items, count, last.dimension, 'the document alone exceeds the shard, evicting cannot make room');
      let items = last.items;
      for (const resident of residents(layer, lastIndex)) {
        if ((items + count) * s2 <= last.dimension) break;
        if (evictions.some((e) => e.layer === layer && e.shard === lastIndex && e.id === resident.id)) continue;
        evictions.push({ layer, shard: lastIndex, id: resident.id, count: resident.count });
        items -= resident.count;
      }
      if ((items + count) * s2 > last.dimension) throw new CapacityError(layer, items, count, last.dimension, 'too few evictable documents');
      shards[lastIndex] = { dimension: last.dimension, items: items + count };
      placements.push({ layer, shard: lastIndex, count, spilled: false });
      continue;
    }
    const size = nextPow2(s2 * (count + state.headroom));
    if (size > reserve) throw new CapacityError(layer, last.items, count, last.dimension, `a spill shard needs ${size} floats but the reserve holds ${reserve}`);
    reserve -= size;
    shards.push({ dimension: size, items: count });
    placements.push({ layer, shard: shards.length - 1, count, spilled: true });
  }
  return { state: { layers, reserve, headroom: state.headroom }, placements, evictions };
}
