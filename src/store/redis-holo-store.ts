import { randomBytes } from 'node:crypto';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { ErrorCode, fail } from '../errors.js';
import { sha256 } from '../l2/witness.js';
import { STRUCTURE_SIZE } from '../l3/phi.js';
import { PAYLOAD_SIZE, storedCopy, structureCount } from '../framing/structure.js';
import { admit, allocateDimensions, CapacityError, capacityState, DEFAULT_HEADROOM, requirePolicy, type CapacityPolicy, type CapacityState } from '../holo/allocation.js';
import { FIELD_LAYERS, LAYERS, VAULT, resolveLayer, type LayerName } from '../holo/layers.js';
import { DEFAULT_GROUP_SIZE, type MemberKind } from '../holo/group-parity.js';
import { DEFAULT_MARGIN } from '../holo/probe.js';
import { routeToLayer, type LayerPolicy } from '../holo/routing.js';
import { loadVaultKey } from '../holo/vault.js';
import { DIGEST_SIZE, requireDocumentId } from './check.js';
import { HoloIndex, refuseEvicted, type BoundItem } from './holo-index.js';
import { DEFAULT_TOTAL_FLOATS, nonNegative, ROUTING_PREFIX, type HoloStoreOptions, type HoloStoreStats, type LayerRecall, type LayerReport, type RebalanceReport, type RoutedDocument } from './holo-store.js';
import { recallFromLayer } from './layer-recall.js';
import { verifyRebound } from './rebalance-check.js';
import { layerReport } from './layer-report.js';
import { RecentStructures } from './recent-structures.js';
import { RedisGroupParity } from './redis-group-parity.js';
import { BEAT, CHECKPOINT, FOLD, SET_IF, SWAP_FIELDS, type FieldScripts } from './redis-field-scripts.js';
import { hex, RedisStore, redactUrl, type RedisStoreOptions } from './redis-store.js';
import type { DocumentManifest, VerifyReport } from './store.js';
import { emptyCounters, parityOf, repairStructure, type LayerCounters } from './structure-repair.js';
import { isVaultId, openDocument, sealDocument, vaultChunkAddresses, vaultDocumentId, type StoredVaultManifest } from './vault-documents.js';

export interface RedisHoloStoreOptions extends HoloStoreOptions, RedisStoreOptions {
  /** How long a writer counts as alive after its last heartbeat (default 60 s); then its partial fields may be folded. */
  readonly writerTtlMs?: number;
}

interface LayerRecord {
  readonly layer: number;
  readonly shard: number;
  readonly length: number;
  /** The writer that admitted it (and binds it into its partial field); absent in records older than that. */
  readonly writer?: string;
  /** Admission order (FIFO for eviction); absent in records older than eviction. */
  readonly seq?: number;
  /** Evicted from the field (policy evict): its bytes stay; partials that still hold its pairs are corrected on read. */
  readonly evicted?: true;
}

interface PartialName {
  readonly name: string;
  readonly layer: number;
  readonly shard: number;
  readonly writer: string;
}

export interface FoldReport {
  /** Partial fields of dead writers folded into the base. */
  readonly partials: number;
  /** Documents of dead writers that no saved partial held, bound into the base. */
  readonly orphans: number;
  readonly writers: number;
}

interface SharedConfig {
  readonly secret: string;
  readonly totalFloats: number;
  readonly headroom: number;
}

/** How long a rebalance may hold admissions before writers take the pause back (it died). */
const REBALANCE_PAUSE_MS = 10 * 60_000;
const PAUSE_POLL_MS = 50;
/** How long close() keeps binding queued pairs before it leaves them to the readers' re-binding. */
const CLOSE_BIND_MS = 2000;
const COUNTER_NAMES = ['eccRepairs', 'eccFailures', 'reads', 'readMisses'] as const;
const DEFAULT_WRITER_TTL_MS = 60_000;
/** The writer name of the partial per shard that holds every folded writer's pairs. */
const BASE = 'base';
const FOLD_ATTEMPTS = 5;

function splitDigests(structures: Uint8Array): Uint8Array[] {
  return Array.from({ length: structures.length / DIGEST_SIZE }, (_, i) => structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE));
}

/** The indices (from `first`) of members missing or not matching their digests. */
function brokenMembers(raw: readonly (Buffer | null)[], digests: readonly Uint8Array[], first: number): number[] {
  return raw.flatMap((bytes, k) => (bytes !== null && Buffer.compare(sha256(bytes), digests[k]!) === 0 ? [] : [first + k]));
}

function parseRecord(text: string): LayerRecord {
  const [layer, shard, length, writer, seq, evicted] = text.split(':');
  return {
    layer: Number(layer), shard: Number(shard), length: Number(length), ...(writer ? { writer } : {}), ...(seq ? { seq: Number(seq) } : {}),
    ...(evicted ? { evicted: true } : {}),
  };
}

function recordText(r: LayerRecord): string {
  return `${r.layer}:${r.shard}:${r.length}:${r.writer ?? ''}:${r.seq ?? ''}:${r.evicted ? 'e' : ''}`;
}

/** A partial of the given generation (older ones belong to fields a rebalance replaced). */
function parsePartial(name: string, current: number): PartialName | undefined {
  const [generation, layer, shard, writer] = name.split(':');
  return Number(generation) === current && writer ? { name, layer: Number(layer), shard: Number(shard), writer } : undefined;
}

/**
 * The capacity state as Redis holds it: with the fields' generation, the number of documents admitted so far (the
 * next one's admission number) and evicted so far (writers prune their partials when it moves), and a rebalance's
 * pause on admissions.
 */
interface SharedState {
  readonly state: CapacityState;
  readonly generation: number;
  readonly admitted: number;
  readonly evictions: number;
  readonly pausedUntil?: number;
}

function parseState(text: string | null | undefined): SharedState {
  const { generation = 0, admitted = 0, evictions = 0, pausedUntil, ...state } = JSON.parse(text ?? fail(ErrorCode.STATE, 'the capacity state is missing from Redis')) as CapacityState & { generation?: number; admitted?: number; evictions?: number; pausedUntil?: number };
  return { state, generation, admitted, evictions, ...(pausedUntil === undefined ? {} : { pausedUntil }) };
}

function stateText({ state, generation, admitted, evictions, pausedUntil }: SharedState): string {
  return JSON.stringify({ ...state, generation, admitted, evictions, ...(pausedUntil === undefined ? {} : { pausedUntil }) });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A writer still counts as alive while its heartbeat deadline (Redis clock, ms) is ahead; the base always is. */
function isAlive(writer: string, deadlines: Record<string, string>, now: number): boolean {
  return writer === BASE || Number(deadlines[writer] ?? 0) > now;
}

/** The hex ids in a partial's list of documents (32 bytes each). */
function forEachId(docs: Buffer | null | undefined, each: (hex: string) => void): void {
  if (!docs) return;
  for (let at = 0; at < docs.length; at += DIGEST_SIZE) each(docs.subarray(at, at + DIGEST_SIZE).toString('hex'));
}

/** A field's spectrum as stored: f32 re ‖ f32 im, little-endian. */
function fieldBytes(index: HoloIndex, layer: number, shard: number): Buffer {
  const { re, im } = index.shards[layer]![shard]!.field.spectrum;
  return Buffer.concat([Buffer.from(re.buffer, re.byteOffset, re.byteLength), Buffer.from(im.buffer, im.byteOffset, im.byteLength)]);
}

function addField(index: HoloIndex, layer: number, shard: number, bytes: Buffer, what: string): void {
  const { re, im } = index.shards[layer]![shard]!.field.spectrum;
  if (bytes.length !== 8 * re.length) fail(ErrorCode.STATE, `${what} holds ${bytes.length} bytes, expected ${8 * re.length}`);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  for (let k = 0; k < re.length; k++) {
    re[k] = re[k]! + floats[k]!;
    im[k] = im[k]! + floats[re.length + k]!;
  }
}

/**
 * The holographic store on Redis, for N writer processes on N hosts (docs/scaling.md). Shared and changed atomically
 * by Lua: the codebook secret and config (created once), the capacity state (admission is a compare-and-set written
 * with the manifest), each document's layer record, RS parity beside every structure and sealed chunk, Vault
 * manifests and sealed chunks, ECC and read counters. Fields are per writer: each process binds its own documents
 * into partial fields and saves them at checkpoints with the list of documents they hold; a read sums every writer's
 * partial (superposition is additive) and re-binds, in its own memory, documents that no partial holds (a writer that
 * died before its checkpoint).
 */
export class RedisHoloStore extends RedisStore {
  #writerId = randomBytes(8).toString('hex');
  /** The generation of this writer's fields; a rebalance starts a new one, and the writer follows it. */
  #generation = 0;
  #ttlMs: number;
  #registered?: Promise<void>;
  #heartbeat?: NodeJS.Timeout;
  #config!: SharedConfig;
  #secret!: Buffer;
  /** This writer's partial fields: the documents it stored, bound by it. */
  #own!: HoloIndex;
  #policy: CapacityPolicy;
  #margin: number;
  #checkpointEvery: number;
  #vaultKeyFile?: string;
  #sinceCheckpoint = 0;
  #queue: { layer: number; shard: number; item: BoundItem }[] = [];
  #binding?: Promise<void>;
  #closing = false;
  /** The shared eviction count when this writer last pruned its fields of evicted documents. */
  #pruned = 0;
  /** Pairs bound by this writer so far: the cached read view is stale once it changes. */
  #binds = 0;
  #view?: { tag: string; index: HoloIndex; rebound: number };
  /** Structure digests of manifests seen (manifests never change). */
  #digests = new Map<string, Uint8Array>();
  #groups: RedisGroupParity;
  #recent = new RecentStructures();

  private constructor(path: string, redis: Redis, prefix: string, options: RedisHoloStoreOptions) {
    super(path, redis, prefix);
    this.#policy = requirePolicy(options.capacityPolicy ?? 'spill');
    this.#margin = options.margin ?? DEFAULT_MARGIN;
    if (!Number.isFinite(this.#margin) || this.#margin < 0) fail(ErrorCode.INVALID, `margin must be a non-negative number, got ${String(this.#margin)}`);
    this.#checkpointEvery = Math.max(1, nonNegative(options.checkpointEvery, 'checkpointEvery', 256));
    if (options.vaultKeyFile !== undefined) this.#vaultKeyFile = options.vaultKeyFile;
    this.#ttlMs = options.writerTtlMs ?? DEFAULT_WRITER_TTL_MS;
    if (!Number.isSafeInteger(this.#ttlMs) || this.#ttlMs < 100) fail(ErrorCode.INVALID, `writerTtlMs must be an integer >= 100, got ${String(options.writerTtlMs)}`);
    this.#groups = new RedisGroupParity(redis, (...parts) => this.key(...parts), (digest) => this.parityKey(digest), nonNegative(options.groupSize, 'groupSize', DEFAULT_GROUP_SIZE));
    redis.defineCommand('atlasBeat', { lua: BEAT });
    redis.defineCommand('atlasCheckpoint', { lua: CHECKPOINT });
    redis.defineCommand('atlasFold', { lua: FOLD });
    redis.defineCommand('atlasSetIf', { lua: SET_IF });
    redis.defineCommand('atlasSwapFields', { lua: SWAP_FIELDS });
  }

  /** Names this process's partial fields (a new one if another process folded them while this one stalled). */
  get writerId(): string {
    return this.#writerId;
  }

  get #scripts(): FieldScripts {
    return this.redis as unknown as FieldScripts;
  }

  static async openHolo(url: string, options: RedisHoloStoreOptions = {}): Promise<RedisHoloStore> {
    const store = new RedisHoloStore(redactUrl(url), await RedisStore.connect(url, options), options.prefix ?? 'atlas', options);
    try {
      await store.#init(options);
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  /** The first process creates config and capacity state (both or neither); every later one adopts them. */
  async #init(options: RedisHoloStoreOptions): Promise<void> {
    const totalFloats = options.totalFloats ?? DEFAULT_TOTAL_FLOATS;
    const headroom = options.headroom ?? DEFAULT_HEADROOM;
    const empty = FIELD_LAYERS.map(() => 0);
    const state = capacityState(allocateDimensions(totalFloats, empty, headroom), empty, headroom);
    const config: SharedConfig = { secret: Buffer.from(options.secret ?? randomBytes(32)).toString('hex'), totalFloats, headroom };
    await this.redis.multi().set(this.key('h', 'config'), JSON.stringify(config), 'NX').set(this.key('h', 'state'), JSON.stringify(state), 'NX').exec();
    const stored = await this.redis.get(this.key('h', 'config'));
    this.#config = JSON.parse(stored ?? fail(ErrorCode.STATE, 'the holographic config is missing from Redis')) as SharedConfig;
    this.#secret = Buffer.from(this.#config.secret, 'hex');
    const shared = parseState(await this.redis.get(this.key('h', 'state')));
    this.#generation = shared.generation;
    this.#own = new HoloIndex(this.#secret, shared.state, shared.generation);
  }

  // ---- writing ----

  protected override structureParity(whole: Uint8Array, digest: Uint8Array, stored: Buffer, parity?: Uint8Array): Buffer {
    if (this.#groups.groupSize > 0) this.#recent.keep(digest, stored);
    return parityOf(whole, parity);
  }

  override async putDocument(manifest: DocumentManifest): Promise<boolean> {
    return (await this.putRoutedDocument(manifest)).added;
  }

  /**
   * Makes a document visible with its layer record, admitted against the shared capacity state in the same script
   * (a state another writer changed meanwhile means admitting again), then binds it into this writer's partial field.
   */
  async putRoutedDocument(manifest: DocumentManifest, policy: LayerPolicy = 'auto'): Promise<RoutedDocument> {
    const id = requireDocumentId(manifest.id);
    const count = structureCount(manifest.length);
    if (manifest.structures.length !== count * DIGEST_SIZE) fail(ErrorCode.INVALID, `manifest of ${id} lists ${manifest.structures.length / DIGEST_SIZE} structures, ${count} expected`);
    const known = await this.#record(id);
    if (known || (await this.has(id))) {
      for (const digest of splitDigests(manifest.structures)) this.#recent.take(digest); // its parity is stored already
      return { id, added: false, layer: LAYERS[known?.layer ?? 1]!.name };
    }
    const layer = routeToLayer({ bytes: await this.#prefix(manifest) }, policy);
    if (!layer.hasField) fail(ErrorCode.INVALID, `document ${id} routes to the vault: vault documents are stored with putVault, never as plaintext structures`);
    const parity = await this.#groups.prepare(id, 'structure', count, STRUCTURE_SIZE, async (first, end) => {
      const digests = splitDigests(manifest.structures.subarray(first * DIGEST_SIZE, end * DIGEST_SIZE));
      const members = digests.map((d) => this.#recent.take(d));
      const fetched = await this.rawStructures(digests.filter((_, k) => members[k] === undefined));
      return members.map((bytes, k) => bytes ?? fetched.shift() ?? fail(ErrorCode.STATE, `document ${id}: structure ${first + k} is not stored`));
    });
    await this.#register();
    for (;;) {
      const expected = await this.redis.get(this.key('h', 'state'));
      const shared = parseState(expected);
      if (shared.generation !== this.#generation) this.#rotate(shared);
      if (shared.pausedUntil !== undefined) {
        await this.#waitForPause(expected!, shared);
        continue;
      }
      const { state, placements, evicted } = await this.#admit(shared.state, layer.index, count);
      const shard = placements[0]!.shard;
      // Once admitted (a rejected document leaves none), ahead of the manifest's script on the same connection: a
      // visible document has its group parity, and both usually share one AOF fsync.
      const [, written] = await Promise.all([this.#groups.send(parity), this.writeDocument(manifest, {
        stateKey: this.key('h', 'state'), expected: expected!, next: stateText({ state, generation: shared.generation, admitted: shared.admitted + 1, evictions: shared.evictions + evicted.length }), recordsKey: this.key('h', 'records'),
        record: recordText({ layer: layer.index, shard, length: manifest.length, writer: this.#writerId, seq: shared.admitted }), others: evicted,
      })]);
      if (written === -1) continue;
      if (written === 0) return { id, added: false, layer: LAYERS[(await this.#record(id))?.layer ?? 1]!.name };
      this.#bindOwn(layer.index, shard, state, manifest);
      return { id, added: true, layer: layer.name };
    }
  }

  /**
   * §3.6 against the shared state. Under 'evict' a document that fits nowhere reads the layer records (consistent with
   * `state`: both change only together, and the write that follows fails if the state moved) and evicts the oldest
   * bound documents of the last shard; their records come back marked evicted, to be written with the document.
   */
  async #admit(state: CapacityState, layer: number, count: number): Promise<ReturnType<typeof admit> & { evicted: [string, string][] }> {
    const additions = [{ layer, count }];
    if (this.#policy !== 'evict') return { ...admit(state, additions, this.#policy), evicted: [] };
    try {
      return { ...admit(state, additions, 'reject'), evicted: [] }; // it fits: no records to read
    } catch (err) {
      if (!(err instanceof CapacityError)) throw err;
    }
    const records = Object.entries(await this.redis.hgetall(this.key('h', 'records'))).map(([id, text]) => ({ id, ...parseRecord(text) }));
    const admitted = admit(state, additions, 'evict', (k, s) => records.filter((r) => r.layer === k && r.shard === s && !r.evicted)
      .sort((a, b) => (a.seq ?? -1) - (b.seq ?? -1)).map((r) => ({ id: r.id, count: structureCount(r.length) })));
    const byId = new Map(records.map((r) => [r.id, r]));
    return { ...admitted, evicted: admitted.evictions.map(({ id }) => [id, recordText({ ...byId.get(id)!, evicted: true })]) };
  }

  /** A rebalance holds admissions: wait for it, or take the pause back once it is past its deadline (it died). */
  async #waitForPause(text: string, shared: SharedState): Promise<void> {
    if ((await this.#now()) < shared.pausedUntil!) return sleep(PAUSE_POLL_MS);
    await this.#scripts.atlasSetIf(1, this.key('h', 'state'), text, stateText({ state: shared.state, generation: shared.generation, admitted: shared.admitted, evictions: shared.evictions }));
  }

  async #now(): Promise<number> {
    const [seconds, micros] = await this.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  #bindOwn(layer: number, shard: number, state: CapacityState, manifest: DocumentManifest): void {
    this.#own.commit(state); // opens the shards other writers' spills added
    const doc = Buffer.from(manifest.id, 'hex');
    this.#own.add(layer, shard, doc, manifest.structures, false);
    this.#digests.set(manifest.id, manifest.structures);
    for (let i = 0; i < manifest.structures.length / DIGEST_SIZE; i++) {
      this.#queue.push({ layer, shard, item: { doc, index: i, digest: manifest.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE) } });
    }
    this.#binding ??= this.#bindQueued().finally(() => (this.#binding = undefined));
    if (++this.#sinceCheckpoint >= this.#checkpointEvery) {
      // A failed checkpoint loses nothing: readers re-bind what no saved partial holds, and the next one retries.
      void this.checkpoint().catch(() => {});
    }
  }

  async #bindQueued(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closing) {
      const { layer, shard, item } = this.#queue.shift()!;
      this.#own.bindPair(layer, shard, item);
      this.#binds++;
      await yieldTurn();
    }
  }

  /** Resolves once this writer's recorded pairs are all in its partial fields. */
  async bound(): Promise<void> {
    while (this.#binding) await this.#binding;
  }

  /**
   * Saves this writer's partial fields, each with the ids of the documents bound in it, in one script. Refused when
   * another process folded this writer's partials (it stalled past its heartbeat): it then starts afresh under a new
   * name, and what it bound since its last checkpoint is re-bound by readers and folded later (nothing counted twice).
   */
  async checkpoint(): Promise<void> {
    await this.#pruneEvicted();
    await this.bound();
    if (this.#queue.length > 0) return; // closing with pairs unbound: the last saved partials stay consistent
    const keys: string[] = [], names: string[] = [], values: Buffer[] = [];
    this.#own.shards.forEach((shards, layer) => shards.forEach((shard, s) => {
      if (shard.documents.size === 0) return;
      const name = `${this.#generation}:${layer}:${s}:${this.#writerId}`;
      keys.push(this.key('f', name), this.key('fb', name));
      names.push(name);
      values.push(fieldBytes(this.#own, layer, s), Buffer.concat([...shard.documents.values()].map((d) => d.doc)));
    }));
    this.#sinceCheckpoint = 0;
    const head = [this.key('h', 'retired'), this.key('h', 'partials'), this.key('h', 'version'), this.key('h', 'state')];
    const saved = await this.#scripts.atlasCheckpoint(head.length + keys.length, ...head, ...keys, this.#writerId, String(this.#generation), ...names, ...values);
    if (saved === 0) await this.#rotateToCurrent();
    else if (await this.#deadPartials()) await this.compactFields();
  }

  /**
   * Takes documents evicted since (by any writer) out of this writer's fields, so its partials do not carry them for
   * every reader to subtract again. Pairs still queued for them are bound later: the sum comes out the same.
   */
  async #pruneEvicted(): Promise<void> {
    const { evictions } = parseState(await this.redis.get(this.key('h', 'state')));
    if (evictions === this.#pruned) return; // nothing evicted since the last look: no records to read
    const held = this.#own.shards.flatMap((shards, layer) => shards.flatMap((shard, s) => [...shard.documents.keys()].map((id) => ({ layer, s, id }))));
    const own = this.#own;
    const texts = held.length ? await this.redis.hmget(this.key('h', 'records'), ...held.map((h) => h.id)) : [];
    if (own !== this.#own) return; // rotated meanwhile: those fields are gone
    this.#pruned = evictions;
    held.forEach(({ layer, s, id }, i) => {
      const entry = own.shards[layer]![s]!.documents.get(id);
      if (!entry || texts[i] === null || !parseRecord(texts[i]!).evicted) return;
      own.evict(layer, s, id);
      own.bindDocument(layer, s, entry.doc, entry.digests, -1);
      this.#binds++;
    });
  }

  /** Whether a saved partial belongs to a writer that is gone (a cheap look before a fold). */
  async #deadPartials(): Promise<boolean> {
    const [names, writers, now] = await Promise.all([this.redis.smembers(this.key('h', 'partials')), this.redis.hgetall(this.key('h', 'writers')), this.#now()]);
    return names.some((name) => {
      const writer = parsePartial(name, this.#generation)?.writer;
      return writer !== undefined && !isAlive(writer, writers, now);
    });
  }

  /** Joins the live writers (a heartbeat in Redis, renewed by a timer) before the first document this writer admits. */
  #register(): Promise<void> {
    this.#registered ??= this.#beat().then(() => {
      this.#heartbeat = setInterval(() => void this.#beat().catch(() => {}), Math.max(50, this.#ttlMs / 4));
      this.#heartbeat.unref();
    });
    return this.#registered;
  }

  async #beat(): Promise<void> {
    if ((await this.#scripts.atlasBeat(2, this.key('h', 'writers'), this.key('h', 'retired'), this.#writerId, String(this.#ttlMs))) === 0) await this.#rotateToCurrent();
  }

  async #rotateToCurrent(): Promise<void> {
    this.#rotate(parseState(await this.redis.get(this.key('h', 'state'))));
  }

  /**
   * Drops this writer's fields (another process folded them, or a rebalance replaced their generation) and goes on
   * under a new name with fields of the current generation. What it had bound is re-bound by readers and folded.
   */
  #rotate(shared: SharedState): void {
    void this.redis.hdel(this.key('h', 'writers'), this.#writerId).catch(() => {});
    this.#writerId = randomBytes(8).toString('hex');
    this.#generation = shared.generation;
    this.#own = new HoloIndex(this.#secret, shared.state, shared.generation);
    this.#queue = [];
    this.#sinceCheckpoint = 0;
    this.#binds++;
    clearInterval(this.#heartbeat);
    this.#registered = undefined;
  }

  /**
   * Folds the partial fields of writers that stopped (closed, or no heartbeat for writerTtlMs) into one base partial
   * per shard, and binds into it their documents that no saved partial held (a writer killed before its checkpoint),
   * so Redis keeps one field per shard for all of them and no reader re-binds them again. Atomic (one script); the
   * folded writers are retired, so one that was only stalled starts afresh instead of saving its partials again.
   */
  async compactFields(): Promise<FoldReport> {
    for (let attempt = 0; attempt < FOLD_ATTEMPTS; attempt++) {
      const report = await this.#fold();
      if (report) return report;
    }
    return fail(ErrorCode.STATE, `compactFields: the partial fields kept changing under ${FOLD_ATTEMPTS} attempts`);
  }

  async #fold(): Promise<FoldReport | undefined> {
    // The version first: a checkpoint, fold or swap after it makes the script refuse what this read.
    const version = (await this.redis.get(this.key('h', 'version'))) ?? '0';
    const [savedState, names, writers, recordsByDoc, now] = await Promise.all([
      this.redis.get(this.key('h', 'state')),
      this.redis.smembers(this.key('h', 'partials')),
      this.redis.hgetall(this.key('h', 'writers')),
      this.redis.hgetall(this.key('h', 'records')),
      this.#now(),
    ]);
    const alive = (writer: string): boolean => isAlive(writer, writers, now);
    const { state, generation } = parseState(savedState);
    const index = new HoloIndex(this.#secret, state, generation);
    const partials = names.map((name) => parsePartial(name, generation)).filter((p): p is PartialName => p !== undefined && index.shards[p.layer]?.[p.shard] !== undefined);
    const docLists = partials.length ? await this.redis.mgetBuffer(...partials.map((p) => this.key('fb', p.name))) : [];
    const held = new Set<string>();
    partials.forEach((p, i) => forEachId(docLists[i], (hex) => held.add(`${p.layer}:${p.shard}:${hex}`)));
    const orphans = Object.entries(recordsByDoc).map(([id, text]) => ({ id, ...parseRecord(text) }))
      .filter((r) => !r.evicted && index.shards[r.layer]?.[r.shard] !== undefined && !held.has(`${r.layer}:${r.shard}:${r.id}`) && !alive(r.writer ?? ''));
    const dead = partials.filter((p) => !alive(p.writer));
    const deadWriters = [...new Set([...dead.map((p) => p.writer), ...orphans.map((r) => r.writer ?? '')].filter((w) => w !== ''))];
    if (dead.length === 0 && orphans.length === 0) return { partials: 0, orphans: 0, writers: 0 };
    // The base of every shard touched: its saved base, plus the dead partials, plus the orphans bound now.
    const touched = new Map<string, { layer: number; shard: number; docs: Buffer[] }>();
    const touch = (layer: number, shard: number) => {
      const key = `${layer}:${shard}`;
      if (!touched.has(key)) touched.set(key, { layer, shard, docs: [] });
      return touched.get(key)!;
    };
    for (const p of dead) touch(p.layer, p.shard);
    for (const r of orphans) touch(r.layer, r.shard);
    const baseName = (layer: number, shard: number) => `${generation}:${layer}:${shard}:${BASE}`;
    const bases = [...touched.values()];
    const saved = await this.redis.mgetBuffer(...bases.flatMap((t) => [this.key('f', baseName(t.layer, t.shard)), this.key('fb', baseName(t.layer, t.shard))]));
    bases.forEach((t, i) => {
      const [field, docs] = [saved[2 * i], saved[2 * i + 1]];
      if (field && docs) {
        addField(index, t.layer, t.shard, field, `base field ${baseName(t.layer, t.shard)}`);
        t.docs.push(docs);
      }
    });
    const deadFields = dead.length ? await this.redis.mgetBuffer(...dead.map((p) => this.key('f', p.name))) : [];
    dead.forEach((p, i) => {
      const field = deadFields[i], docs = docLists[partials.indexOf(p)];
      if (!field || !docs) return;
      addField(index, p.layer, p.shard, field, `partial field ${p.name}`);
      touch(p.layer, p.shard).docs.push(docs);
    });
    await this.#loadDigests(orphans.map((r) => r.id));
    for (const r of orphans) {
      const doc = Buffer.from(r.id, 'hex');
      const digests = this.#digests.get(r.id)!;
      index.bindDocument(r.layer, r.shard, doc, digests);
      touch(r.layer, r.shard).docs.push(doc);
    }
    // Evicted documents the folded fields still hold leave the base: their pairs are taken out, their ids dropped.
    const evicted = (hex: string) => recordsByDoc[hex] !== undefined && parseRecord(recordsByDoc[hex]).evicted === true;
    const lists = bases.map((t) => {
      const ids: string[] = [];
      for (const docs of t.docs) forEachId(docs, (hex) => ids.push(hex));
      return ids;
    });
    await this.#loadDigests(lists.flat().filter(evicted));
    const keys = [this.key('h', 'partials'), this.key('h', 'version'), this.key('h', 'writers'), this.key('h', 'retired')];
    const values: Buffer[] = [];
    bases.forEach((t, i) => {
      for (const hex of lists[i]!.filter(evicted)) index.bindDocument(t.layer, t.shard, Buffer.from(hex, 'hex'), this.#digests.get(hex)!, -1);
      keys.push(this.key('f', baseName(t.layer, t.shard)), this.key('fb', baseName(t.layer, t.shard)));
      values.push(fieldBytes(index, t.layer, t.shard), Buffer.from(lists[i]!.filter((hex) => !evicted(hex)).join(''), 'hex'));
    });
    for (const p of dead) keys.push(this.key('f', p.name), this.key('fb', p.name));
    const result = await this.#scripts.atlasFold(keys.length, ...keys, version, String(bases.length), String(deadWriters.length), ...deadWriters,
      ...bases.map((t) => baseName(t.layer, t.shard)), ...values, ...dead.map((p) => p.name));
    return result === 1 ? { partials: dead.length, orphans: orphans.length, writers: deadWriters.length } : undefined;
  }

  /**
   * Seals a document into the Vault (AES-256-GCM per chunk, keyed id, RS parity over the ciphertext); binds nothing.
   * Two writers sealing the same document at once both write: the index keeps one manifest, the other's chunks stay
   * unreferenced (never wrong bytes: each manifest names its own chunks).
   */
  async putVault(bytes: Uint8Array): Promise<RoutedDocument> {
    const key = this.#vaultKey();
    const id = vaultDocumentId(key, bytes);
    if ((await this.redis.hexists(this.key('v', 'index'), id)) === 1) return { id, added: false, layer: VAULT.name };
    const sealed = sealDocument(key, bytes, id);
    const multi = this.redis.multi();
    for (const { address, sealed: chunk } of sealed.chunks) {
      multi.set(this.key('v', 'c', address.toString('hex')), Buffer.from(chunk));
      multi.set(this.parityKey(address), parityOf(chunk));
    }
    const chunks = sealed.chunks.map((c) => c.sealed);
    void this.#groups.send(await this.#groups.prepare(sealed.id, 'chunk', chunks.length, chunks.reduce((m, c) => Math.max(m, c.length), 0), async (first, end) => chunks.slice(first, end), true), multi);
    multi.hset(this.key('v', 'm', sealed.id), 'keyId', sealed.manifest.keyId, 'sealed', Buffer.from(sealed.manifest.sealed));
    multi.hset(this.key('v', 'index'), sealed.id, String(bytes.length));
    await multi.exec();
    return { id: sealed.id, added: true, layer: VAULT.name };
  }

  // ---- reading ----

  override async stats(): Promise<HoloStoreStats> {
    const [stats, groupParityBytes] = await Promise.all([super.stats(), this.#groups.storedBytes()]);
    return { ...stats, groupParityBytes };
  }

  override async has(id: string): Promise<boolean> {
    if (typeof id === 'string' && isVaultId(id)) return (await this.redis.hexists(this.key('v', 'index'), id)) === 1;
    return super.has(id);
  }

  override async getDocument(id: string, first = 0, count?: number): Promise<Uint8Array> {
    if (typeof id !== 'string' || !isVaultId(id)) return super.getDocument(id, first, count);
    const bytes = await this.#readVault(id);
    return first === 0 && count === undefined ? bytes : bytes.subarray(first * PAYLOAD_SIZE, count === undefined ? undefined : (first + count) * PAYLOAD_SIZE);
  }

  override async verify(ids?: readonly string[]): Promise<VerifyReport[]> {
    const all = ids && ids.length > 0 ? ids : undefined;
    const plain = all ? all.filter((id) => !isVaultId(id)) : undefined;
    const vault = all ? all.filter((id) => isVaultId(id)) : await this.redis.hkeys(this.key('v', 'index'));
    const reports = plain === undefined || plain.length > 0 ? await super.verify(plain) : [];
    for (const id of vault) {
      try {
        await this.#readVault(id);
        reports.push({ id, ok: true });
      } catch (err) {
        reports.push({ id, ok: false, error: (err as Error).message });
      }
    }
    return reports;
  }

  /** The layer a stored document went to. */
  async layerOf(id: string): Promise<LayerName | undefined> {
    if (isVaultId(id)) return (await this.has(id)) ? VAULT.name : undefined;
    const record = await this.#record(requireDocumentId(id));
    return record ? LAYERS[record.layer]!.name : undefined;
  }

  /** The holographic read (spec §5) over the sum of every writer's partial field of the document's shard. */
  async retrieveFromLayer(id: string, layer?: string | number): Promise<LayerRecall> {
    if (isVaultId(id)) {
      if (layer !== undefined && resolveLayer(layer) !== VAULT) fail(ErrorCode.INVALID, `document ${id} is in the vault, not ${String(layer)}`);
      return { bytes: await this.#readVault(id), layer: VAULT.name, hits: 0, misses: 0, minMargin: null };
    }
    const record = (await this.#record(requireDocumentId(id))) ?? fail(ErrorCode.INVALID, `no holographic document ${id} in the store`);
    const stored = LAYERS[record.layer]!;
    if (layer !== undefined && resolveLayer(layer) !== stored) fail(ErrorCode.INVALID, `document ${id} is in layer ${stored.name}, not ${String(layer)}`);
    if (record.evicted) refuseEvicted(id, stored.name);
    const manifest = (await this.getManifest(id)) ?? fail(ErrorCode.STATE, `document ${id} has a layer record but no manifest`);
    const { index } = await this.#readView();
    const digests = splitDigests(manifest.structures);
    const counters = LAYERS.map(emptyCounters);
    try {
      const structures = await this.#repaired(id, digests, await this.rawStructures(digests), counters[stored.index]!, 0, digests);
      return recallFromLayer(index, stored.index, record.shard, manifest, this.#margin, counters[stored.index]!, (i) => structures[i]!);
    } finally {
      await this.#count(counters);
    }
  }

  /** Structures of a plain document repaired from their parity where they do not match their digest (counted). */
  protected override async repairStructures(id: string, first: number, digests: readonly Uint8Array[], raw: (Buffer | null)[]): Promise<(Buffer | null)[]> {
    const counters = LAYERS.map(emptyCounters);
    const layer = (await this.#record(id))?.layer ?? FIELD_LAYERS[1]!.index;
    try {
      return await this.#repaired(id, digests, raw, counters[layer]!, first);
    } finally {
      await this.#count(counters);
    }
  }

  /**
   * Structures `first`, `first + 1`, ... of document `id` as they match their digests, else repaired from their RS
   * parity or rebuilt from the document's group parity (counted, and written back before this returns), else refused.
   */
  async #repaired(id: string, digests: readonly Uint8Array[], raw: (Buffer | null)[], counters: LayerCounters, first = 0, whole?: readonly Uint8Array[]): Promise<Buffer[]> {
    const broken = brokenMembers(raw, digests, first);
    if (broken.length === 0) return raw as Buffer[];
    const all = whole ?? splitDigests(((await this.getManifest(id)) ?? fail(ErrorCode.STATE, `document ${id} has no manifest`)).structures);
    return this.#healed(id, 'structure', all, raw, first, broken, (digest) => this.structureKey(digest), counters);
  }

  /**
   * `raw` (members `first`, `first + 1`, ... of document `id`, out of `all`) with the `broken` ones repaired or rebuilt,
   * the repairs written back before this returns (the next read finds them healed).
   */
  async #healed(id: string, noun: MemberKind, all: readonly Uint8Array[], raw: readonly (Buffer | null)[], first: number, broken: readonly number[], memberKey: (digest: Uint8Array) => string, counters: LayerCounters): Promise<Buffer[]> {
    const parities = await this.redis.mgetBuffer(...broken.map((i) => this.parityKey(all[i]!)));
    const rebuild = await this.#groups.rebuilder(id, noun, all, broken, memberKey);
    const writes: Promise<unknown>[] = [];
    const out = raw.map((bytes) => bytes as Buffer);
    broken.forEach((i, n) => {
      const digest = all[i]!;
      out[i - first] = Buffer.from(repairStructure(raw[i - first] ?? undefined, digest, parities[n] ?? undefined, counters, `${noun === 'chunk' ? 'vault document' : 'document'} ${id}: ${noun} ${i}`, (repaired) => {
        const stored = noun === 'structure' ? storedCopy(repaired) : Buffer.from(repaired);
        writes.push(this.redis.set(memberKey(digest), stored), this.redis.set(this.parityKey(digest), parityOf(repaired)));
      }, () => rebuild(i)));
    });
    await Promise.all(writes);
    return out;
  }

  async #readVault(id: string): Promise<Uint8Array> {
    const [keyId, sealed] = await this.redis.hmgetBuffer(this.key('v', 'm', id), 'keyId', 'sealed');
    if (!keyId || !sealed) fail(ErrorCode.INVALID, `no document ${id} in the store`);
    const stored: StoredVaultManifest = { keyId: keyId.toString(), sealed };
    const key = this.#vaultKey();
    const addresses = vaultChunkAddresses(key, id, stored);
    const chunkKey = (address: Uint8Array) => this.key('v', 'c', hex(address));
    const counters = LAYERS.map(emptyCounters);
    try {
      const raw = addresses.length ? await this.redis.mgetBuffer(...addresses.map(chunkKey)) : [];
      const broken = brokenMembers(raw, addresses, 0);
      const chunks = broken.length ? await this.#healed(id, 'chunk', addresses, raw, 0, broken, chunkKey, counters[VAULT.index]!) : raw;
      return openDocument(key, id, stored, (_address, i) => chunks[i]!);
    } finally {
      await this.#count(counters);
    }
  }

  // ---- telemetry ----

  /** The spec §4 record per layer, measured on the summed fields of all writers, and a store-wide summary. */
  async getLayerStats(_options: { settle?: boolean } = {}): Promise<LayerReport> {
    const { index } = await this.#readView(); // waits for this writer's own binds: pending_binds is always 0 here
    const [records, vaults, counts] = await Promise.all([
      this.redis.hvals(this.key('h', 'records')), this.redis.hvals(this.key('v', 'index')), this.redis.hgetall(this.key('h', 'counters')),
    ]);
    const counters = LAYERS.map((layer) => {
      const c = emptyCounters();
      for (const name of COUNTER_NAMES) c[name] = Number(counts[`${layer.index}:${name}`] ?? 0);
      return c;
    });
    const evicted = LAYERS.map(() => 0);
    for (const text of records) {
      const r = parseRecord(text);
      counters[r.layer]!.bytes += r.length;
      if (r.evicted) evicted[r.layer]!++;
    }
    for (const length of vaults) counters[VAULT.index]!.bytes += Number(length);
    return layerReport({
      index, counters, pending: FIELD_LAYERS.map(() => 0), evicted, margin: this.#margin,
      summary: { documents: records.length, vault_documents: vaults.length, total_floats: this.#config.totalFloats, capacity_policy: this.#policy, headroom: this.#config.headroom },
    });
  }

  /** How many documents the last read view had to re-bind because no saved partial field held them. */
  async reboundDocuments(): Promise<number> {
    return (await this.#readView()).rebound;
  }

  /**
   * §3.7 on Redis: pauses admissions (in the shared state, with a deadline), re-binds every recorded document from its
   * manifest into new fields sized from the current loads (optionally a new total M), verifies them, and swaps in one
   * script: new state and generation, one base partial per layer, every old partial gone. Reads go on against the
   * old fields meanwhile; writers wait for the swap, then follow the new generation (their old fields are dropped:
   * every document they held is in the new base).
   */
  async rebalanceLayers(options: { totalFloats?: number } = {}): Promise<RebalanceReport> {
    const total = nonNegative(options.totalFloats, 'totalFloats', this.#config.totalFloats);
    const { text: paused, shared } = await this.#pauseAdmissions();
    try {
      const records = Object.entries(await this.redis.hgetall(this.key('h', 'records'))).map(([id, text]) => ({ id, ...parseRecord(text) }));
      const bound = records.filter((r) => !r.evicted); // evicted documents stay out of the new fields
      await this.#loadDigests(bound.map((r) => r.id));
      const loads = FIELD_LAYERS.map(() => 0);
      for (const r of bound) loads[r.layer] = loads[r.layer]! + this.#digests.get(r.id)!.length / DIGEST_SIZE;
      const state = capacityState(allocateDimensions(total, loads, this.#config.headroom), loads, this.#config.headroom);
      const next = new HoloIndex(this.#secret, state, shared.generation + 1);
      for (const [n, r] of bound.entries()) {
        next.add(r.layer, 0, Buffer.from(r.id, 'hex'), this.#digests.get(r.id)!, true);
        if (n % 4 === 3) await yieldTurn();
      }
      verifyRebound(next, state, loads, this.#margin);
      const bases = FIELD_LAYERS.map((l) => l.index).filter((k) => next.shards[k]![0]!.documents.size > 0);
      const keys = [this.key('h', 'state'), this.key('h', 'records'), this.key('h', 'partials'), this.key('h', 'version'), this.key('h', 'config')];
      const names = bases.map((k) => `${next.generation}:${k}:0:${BASE}`);
      for (const name of names) keys.push(this.key('f', name), this.key('fb', name));
      const config = total === this.#config.totalFloats ? '' : JSON.stringify({ ...this.#config, totalFloats: total });
      const swapped = await this.#scripts.atlasSwapFields(keys.length, ...keys, paused, stateText({ state, generation: next.generation, admitted: shared.admitted, evictions: shared.evictions }), config,
        String(bases.length), String(records.length), this.key('f', ''), this.key('fb', ''),
        ...records.flatMap(({ id, ...r }) => [id, recordText({ ...r, shard: 0 })]), ...names,
        ...bases.flatMap((k) => [fieldBytes(next, k, 0), Buffer.concat([...next.shards[k]![0]!.documents.values()].map((d) => d.doc))]));
      if (swapped !== 1) fail(ErrorCode.STATE, 'the rebalance ran past its pause deadline and writers took it back; the old fields stay');
      this.#config = { ...this.#config, totalFloats: total };
      this.#rotate({ state, generation: next.generation, admitted: shared.admitted, evictions: shared.evictions });
      return { generation: next.generation, dimensions: state.layers.map((shards) => shards[0]!.dimension), reserve: state.reserve };
    } catch (err) {
      await this.#scripts.atlasSetIf(1, this.key('h', 'state'), paused, stateText(shared)).catch(() => {}); // admissions go on
      throw err;
    }
  }

  /** Marks the shared state paused (writers wait before admitting) and returns what it wrote; STATE if another holds it. */
  async #pauseAdmissions(): Promise<{ text: string; shared: SharedState }> {
    for (;;) {
      const current = await this.redis.get(this.key('h', 'state'));
      const shared = parseState(current);
      const now = await this.#now();
      if (shared.pausedUntil !== undefined && shared.pausedUntil > now) fail(ErrorCode.STATE, 'another rebalance of this store is running');
      const unpaused = { state: shared.state, generation: shared.generation, admitted: shared.admitted, evictions: shared.evictions };
      const text = stateText({ ...unpaused, pausedUntil: now + REBALANCE_PAUSE_MS });
      if ((await this.#scripts.atlasSetIf(1, this.key('h', 'state'), current ?? '', text)) === 1) return { text, shared: unpaused };
    }
  }

  /** Binds what is queued (for up to 2 s), saves this writer's partials, leaves the live writers and folds them. */
  override async close(): Promise<void> {
    try {
      const stop = setTimeout(() => (this.#closing = true), CLOSE_BIND_MS);
      await this.bound();
      clearTimeout(stop);
      if (this.#sinceCheckpoint > 0) await this.checkpoint();
      clearInterval(this.#heartbeat);
      if (this.#registered) {
        await this.redis.hdel(this.key('h', 'writers'), this.#writerId);
        await this.compactFields().catch(() => {}); // a fold that fails loses nothing: the partials stay, the next one folds

      }
    } finally {
      clearInterval(this.#heartbeat);
      this.#closing = true;
      await super.close();
    }
  }

  // ---- the read view ----

  /**
   * Every writer's partial field of each shard summed (this writer's from memory), over the union of the layer
   * records; documents no partial holds are re-bound into the view. Cached until the state, a checkpoint or this
   * writer's fields change.
   */
  async #readView(): Promise<{ index: HoloIndex; rebound: number }> {
    await this.bound();
    const [savedState, version] = await this.redis.mget(this.key('h', 'state'), this.key('h', 'version'));
    if (this.#view?.tag === `${version ?? 0}|${this.#binds}|${savedState ?? ''}`) return this.#view;
    const { state, generation } = parseState(savedState);
    const index = new HoloIndex(this.#secret, state, generation);
    const records = Object.entries(await this.redis.hgetall(this.key('h', 'records')));
    await this.#loadDigests(records.map(([id]) => id));
    const evicted = new Set<string>();
    for (const [id, text] of records) {
      const r = parseRecord(text);
      if (r.evicted) evicted.add(id);
      else if (index.shards[r.layer]?.[r.shard] !== undefined) index.add(r.layer, r.shard, Buffer.from(id, 'hex'), this.#digests.get(id)!, false); // else committed after the state was read
    }
    const held = index.shards.map((shards) => shards.map(() => new Set<string>()));
    for (const name of await this.redis.smembers(this.key('h', 'partials'))) {
      const p = parsePartial(name, generation);
      if (!p || (p.writer === this.#writerId && generation === this.#generation) || index.shards[p.layer]?.[p.shard] === undefined) continue;
      const [field, docs] = await this.redis.mgetBuffer(this.key('f', name), this.key('fb', name));
      if (!field || !docs) continue;
      addField(index, p.layer, p.shard, field, `partial field ${name}`);
      forEachId(docs, (hex) => held[p.layer]![p.shard]!.add(hex));
    }
    // This writer's fields are added while none of its pairs waits to be bound, so each document is in whole or not.
    while (this.#binding) await this.bound();
    const tag = `${version ?? 0}|${this.#binds}|${savedState ?? ''}`;
    if (generation === this.#generation) this.#own.shards.forEach((shards, k) => shards.forEach((shard, s) => {
      if (shard.documents.size === 0 || index.shards[k]?.[s] === undefined) return;
      addField(index, k, s, fieldBytes(this.#own, k, s), 'this writer\'s field');
      for (const hex of shard.documents.keys()) held[k]![s]!.add(hex);
    }));
    let rebound = 0;
    index.shards.forEach((shards, k) => shards.forEach((shard, s) => {
      for (const [hex, { doc, digests }] of shard.documents) {
        if (held[k]![s]!.has(hex)) continue;
        rebound++;
        index.bindDocument(k, s, doc, digests);
      }
      // A partial saved before the document's eviction still holds its pairs: take them out of the sum.
      for (const hex of held[k]![s]!) if (evicted.has(hex)) index.bindDocument(k, s, Buffer.from(hex, 'hex'), this.#digests.get(hex)!, -1);
      shard.field.items = shard.items.length;
    }));
    this.#view = { tag, index, rebound };
    return this.#view;
  }

  async #loadDigests(ids: readonly string[]): Promise<void> {
    const missing = ids.filter((id) => !this.#digests.has(id));
    const pipeline = this.redis.pipeline();
    for (const id of missing) pipeline.hgetBuffer(this.key('m', id), 'structures');
    const results = missing.length ? ((await pipeline.exec()) ?? []) : [];
    missing.forEach((id, i) => {
      const structures = results[i]?.[1] as Buffer | null | undefined;
      this.#digests.set(id, new Uint8Array(structures ?? fail(ErrorCode.STATE, `document ${id} has a layer record but no manifest`)));
    });
  }

  // ---- helpers ----

  async #record(id: string): Promise<LayerRecord | undefined> {
    const text = await this.redis.hget(this.key('h', 'records'), id);
    return text === null ? undefined : parseRecord(text);
  }

  async #count(counters: readonly LayerCounters[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    let any = false;
    counters.forEach((c, layer) => {
      for (const name of COUNTER_NAMES) {
        if (c[name] === 0) continue;
        pipeline.hincrby(this.key('h', 'counters'), `${layer}:${name}`, c[name]);
        any = true;
      }
    });
    if (any) await pipeline.exec();
  }

  #vaultKey() {
    return loadVaultKey(this.#vaultKeyFile === undefined ? {} : { keyFile: this.#vaultKeyFile });
  }

  /** The document's first 64 KiB, which routing looks at. */
  async #prefix(manifest: DocumentManifest): Promise<Uint8Array> {
    const length = Math.min(manifest.length, ROUTING_PREFIX);
    const digests = Array.from({ length: Math.ceil(length / PAYLOAD_SIZE) }, (_, i) => manifest.structures.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE));
    const raw = await this.rawStructures(digests);
    const out = new Uint8Array(length);
    raw.forEach((bytes, i) => {
      if (!bytes) fail(ErrorCode.STATE, `document ${manifest.id}: structure ${i} is not stored`);
      out.set(bytes.subarray(0, Math.min(PAYLOAD_SIZE, length - i * PAYLOAD_SIZE)), i * PAYLOAD_SIZE);
    });
    return out;
  }
}
