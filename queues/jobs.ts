// What travels through the queues: references to documents (never their bytes), content-derived ids, retention.
import { createHash } from 'node:crypto';
import { ErrorCode, fail } from '../src/errors.js';
import { LAYERS, VAULT } from '../src/holo/layers.js';
import { isVaultId } from '../src/store/vault-documents.js';

export const INGEST_QUEUE = 'atlas-ingest';
export const BATCH_QUEUE = 'atlas-batch';

/** A document the workers read from a path they can reach (a shared volume). */
export interface PathJob {
  readonly kind: 'path';
  readonly path: string;
  /** SHA-256 hex of the content when it was enqueued (a Vault document: its keyed Vault id); the worker refuses a file that changed since. */
  readonly id: string;
  readonly length: number;
  /** The layer the producer routed it to (absent in jobs of older producers: the worker routes them). */
  readonly layer?: string;
}

/** A submitted buffer, staged in Redis under `key` until its document is committed, then deleted; sealed if it is for the Vault. */
export interface StagedJob {
  readonly kind: 'staged';
  readonly key: string;
  readonly id: string;
  readonly length: number;
  readonly layer?: string;
}

export type IngestJobData = PathJob | StagedJob;

export interface BatchJobData {
  readonly batch: string;
  readonly documents: number;
  readonly bytes: number;
}

export interface IngestJobResult {
  readonly id: string;
  readonly length: number;
  readonly structures: number;
  /** False when the store already held the document (a resubmission, or a retry after a worker died). */
  readonly stored: boolean;
}

export interface BatchSummary {
  readonly batch: string;
  readonly documents: number;
  readonly bytes: number;
  readonly stored: number;
  readonly alreadyStored: number;
  readonly failed: ReadonlyArray<{ readonly job: string; readonly reason: string }>;
}

/**
 * Retention: completed jobs are kept for the dedupe window (a resubmitted batch whose jobs still exist is not run
 * again; BullMQ accepts a removed id anew). Failed jobs stay longer for the failed-jobs view.
 */
export const RETENTION = {
  completedSeconds: 24 * 3600,
  completedCount: 1_000_000,
  failedSeconds: 7 * 24 * 3600,
} as const;

export const RETRY = { attempts: 5, backoffMs: 1000 } as const;

const HEX64 = /^[0-9a-f]{64}$/;

/** The batch id: SHA-256 over the documents' (id, length, reference), so resubmitting the same batch gives the same id. */
export function batchId(jobs: readonly IngestJobData[]): string {
  const hash = createHash('sha256');
  for (const j of jobs) hash.update(`${j.id} ${j.length} ${j.kind === 'path' ? j.path : j.key}\n`);
  return hash.digest('hex');
}

// BullMQ refuses custom ids with ':' or made only of digits; a letter prefix and hex rule out both.
export const batchJobId = (batch: string): string => `b-${batch}`;
export const documentJobId = (batch: string, id: string): string => `d-${batch.slice(0, 16)}-${id}`;
export const stagingKey = (prefix: string, id: string): string => `${prefix}:stage:${id}`;

/** Checks a job's data as a worker receives it; INVALID for anything malformed. */
export function parseJobData(data: unknown): IngestJobData {
  const d = data as { kind?: unknown; path?: unknown; key?: unknown; id?: unknown; length?: unknown; layer?: unknown } | null;
  if (d === null || typeof d !== 'object') fail(ErrorCode.INVALID, 'job data is not an object');
  if (d.layer !== undefined && (typeof d.layer !== 'string' || !LAYERS.some((l) => l.name === d.layer))) fail(ErrorCode.INVALID, `job data names no layer (got ${JSON.stringify(d.layer)})`);
  const id = d.layer === VAULT.name ? isVaultId : (x: string) => HEX64.test(x);
  if (typeof d.id !== 'string' || !id(d.id)) fail(ErrorCode.INVALID, `job data has no valid document id (got ${JSON.stringify(d.id)})`);
  if (typeof d.length !== 'number' || !Number.isSafeInteger(d.length) || d.length < 0) fail(ErrorCode.INVALID, `job data has no valid length (got ${JSON.stringify(d.length)})`);
  const layer = d.layer === undefined ? {} : { layer: d.layer };
  if (d.kind === 'path' && typeof d.path === 'string' && d.path !== '') return { kind: 'path', path: d.path, id: d.id, length: d.length, ...layer };
  if (d.kind === 'staged' && typeof d.key === 'string' && d.key !== '') return { kind: 'staged', key: d.key, id: d.id, length: d.length, ...layer };
  fail(ErrorCode.INVALID, `job data is neither a path job nor a staged job (kind ${JSON.stringify(d.kind)})`);
}
