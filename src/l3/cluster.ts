import { ErrorCode, fail } from '../errors.js';
import { requireBytes } from '../validate.js';
import { CLASS_COUNT, PAGE_SIZE, R96_TABLE } from './r96.js';

/** CSR clusters by class: coordinates of class c are indices[offsets[c] .. offsets[c+1]), ascending. */
export interface ClusterView {
  readonly offsets: Uint32Array;
  readonly indices: Uint32Array;
}

/** Two-pass counting sort of the pages*256 coordinates of `base` by r96 class. */
export function clusterByResonance(base: Uint8Array, pages: number): ClusterView {
  requireBytes(base, 'base');
  if (typeof pages !== 'number' || !Number.isInteger(pages) || pages < 1) fail(ErrorCode.INVALID, `pages must be an integer >= 1, got ${String(pages)}`);
  const n = pages * PAGE_SIZE;
  if (base.length < n) fail(ErrorCode.INVALID, `base holds ${base.length} bytes, ${n} needed for ${pages} pages`);
  const offsets = new Uint32Array(CLASS_COUNT + 1);
  for (let i = 0; i < n; i++) offsets[R96_TABLE[base[i]!]! + 1]!++;
  for (let c = 0; c < CLASS_COUNT; c++) offsets[c + 1]! += offsets[c]!;
  const cursor = offsets.slice(0, CLASS_COUNT);
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) indices[cursor[R96_TABLE[base[i]!]!]!++] = i;
  return { offsets, indices };
}

/** Kept for the C ABI naming rule; typed arrays are garbage-collected, so this only drops references. */
export function clusterDestroy(_view: ClusterView | null | undefined): void {}

/** Checks monotone offsets, offsets[96] = n, every index < n, ascending and homogeneous buckets against `base`. */
export function clusterValidate(view: ClusterView, base: Uint8Array): boolean {
  requireBytes(base, 'base');
  if (!isClusterView(view)) return false;
  const { offsets, indices } = view;
  const n = indices.length;
  if (offsets.length !== CLASS_COUNT + 1 || offsets[0] !== 0 || offsets[CLASS_COUNT] !== n || base.length < n) return false;
  for (let c = 0; c < CLASS_COUNT; c++) {
    if (offsets[c]! > offsets[c + 1]!) return false;
    for (let k = offsets[c]!; k < offsets[c + 1]!; k++) {
      const coord = indices[k]!;
      if (coord >= n || R96_TABLE[base[coord]!] !== c) return false;
      if (k > offsets[c]! && indices[k - 1]! >= coord) return false;
    }
  }
  return true;
}

/** The coordinates of one class, as a view into the CSR arrays. */
export function clusterMembers(view: ClusterView, r: number): Uint32Array {
  if (!isClusterView(view) || view.offsets.length !== CLASS_COUNT + 1) fail(ErrorCode.INVALID, 'view must be {offsets: Uint32Array(97), indices: Uint32Array}');
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r >= CLASS_COUNT) fail(ErrorCode.INVALID, `class must be in 0..95, got ${String(r)}`);
  return view.indices.subarray(view.offsets[r]!, view.offsets[r + 1]!);
}

function isClusterView(view: unknown): view is ClusterView {
  const v = view as ClusterView;
  return v !== null && typeof v === 'object' && v.offsets instanceof Uint32Array && v.indices instanceof Uint32Array;
}
