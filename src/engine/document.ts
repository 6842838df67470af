import { createHash, type Hash } from 'node:crypto';
import type { Witness } from '../l2/witness.js';
import type { LayerName } from '../holo/layers.js';
import { CONSERVATION_OFFSET } from '../framing/structure.js';
import type { DocumentManifest } from '../store/store.js';
import { DIGEST_BYTES, type BatchView } from './batch.js';
import { CLASS_COUNT, dominantClass } from './kernels.js';

export interface StructureResult {
  readonly sha256: string;
  readonly histogram: number[];
  readonly dominantClass: number;
}

export interface ClusterSummary {
  /** Coordinates per resonance class over the whole document (padding included). */
  readonly sizes: number[];
  readonly nonEmpty: number;
  readonly largestClass: number;
  readonly largestSize: number;
}

export interface DocumentResult {
  readonly path?: string;
  readonly id: string;
  readonly length: number;
  readonly structures: number;
  /**
   * The holographic layer the document went to (set by Engine.ingest; null where a store without layers wrote it).
   * For a Vault document `histogram` is empty, `dominantClass` -1 and the witness hash '': nothing derived from
   * the plaintext is reported.
   */
  readonly layer: LayerName | null;
  /** False when the store already held this document. */
  readonly stored: boolean;
  /** R96 histogram over all the document's structures. */
  readonly histogram: number[];
  readonly dominantClass: number;
  /** Omitted when ingest ran with cluster: false. */
  readonly clusters?: ClusterSummary;
  readonly witness: Witness;
  /** Per-structure results; omitted when ingest ran with details: false. */
  readonly structureResults?: StructureResult[];
}

/** What the engine learns about one document while its structures go through the batches. */
export class DocumentAccumulator {
  length = 0;
  structures = 0;
  /** Structures placed in batches that have not completed yet. */
  unfinished = 0;
  readDone = false;
  readonly #hash: Hash = createHash('sha256');
  readonly #digests: Uint8Array[] = [];
  readonly #histogram = new Array<number>(CLASS_COUNT).fill(0);
  readonly #clusters = new Array<number>(CLASS_COUNT).fill(0);
  #residue = 0;
  readonly #details?: StructureResult[];

  constructor(readonly path: string | undefined, details: boolean, private readonly clustered: boolean) {
    if (details) this.#details = [];
  }

  get complete(): boolean {
    return this.readDone && this.unfinished === 0;
  }

  addPayload(payload: Uint8Array): void {
    this.#hash.update(payload);
    this.length += payload.length;
    this.structures++;
    this.unfinished++;
  }

  /** Takes structure s of a completed batch; called in document order. */
  addStructure(v: BatchView, s: number): void {
    const hist = v.histogram(s);
    const sizes = v.clusterSizes(s);
    for (let c = 0; c < CLASS_COUNT; c++) {
      this.#histogram[c]! += hist[c]!;
      this.#clusters[c]! += sizes[c]!;
    }
    // The conservation byte is the payload sum's complement, so the document residue needs no second pass.
    this.#residue = (this.#residue + 96 - v.structure(s)[CONSERVATION_OFFSET]!) % 96;
    const digest = v.digest(s).slice();
    this.#digests.push(digest);
    this.#details?.push({ sha256: Buffer.from(digest).toString('hex'), histogram: Array.from(hist), dominantClass: dominantClass(hist) });
    this.unfinished--;
  }

  manifest(): DocumentManifest {
    const id = this.#hash.digest('hex');
    const structures = Buffer.concat(this.#digests, this.#digests.length * DIGEST_BYTES);
    const witness: Witness = Object.freeze({ algo: 'sha256', len: this.length, sha256: id, residue: this.#residue, createdAt: Date.now() });
    return { id, length: this.length, structures, witness };
  }

  result(manifest: DocumentManifest, stored: boolean): DocumentResult {
    return {
      ...(this.path === undefined ? {} : { path: this.path }),
      id: manifest.id,
      length: this.length,
      structures: this.structures,
      layer: null,
      stored,
      histogram: this.#histogram,
      dominantClass: dominantClass(this.#histogram),
      ...(this.clustered ? { clusters: this.#clusterSummary() } : {}),
      witness: manifest.witness,
      ...(this.#details ? { structureResults: this.#details } : {}),
    };
  }

  #clusterSummary(): ClusterSummary {
    let nonEmpty = 0;
    for (const n of this.#clusters) if (n > 0) nonEmpty++;
    const largestClass = dominantClass(this.#clusters);
    return { sizes: this.#clusters, nonEmpty, largestClass, largestSize: this.#clusters[largestClass]! };
  }
}
