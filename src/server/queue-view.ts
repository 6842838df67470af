import type { IngestQueue } from '../../queues/ingest-queue.js';

export type QueueView =
  | { readonly configured: false; readonly message: string }
  | {
      readonly configured: true;
      readonly counts: Record<string, number>;
      /** Completed jobs per minute from BullMQ metrics, newest minute first (empty when no worker records metrics). */
      readonly completedPerMinute: number[];
      /** Completed jobs in the newest recorded minute, null when no worker records metrics. */
      readonly throughputPerMinute: number | null;
      /** Completions BullMQ metrics have recorded in all (0 when no worker records metrics). */
      readonly completedRecorded: number;
      readonly failed: Array<{ job: string; reason: string; attempts: number; failedAt: number | null }>;
    };

export const NO_QUEUE: QueueView = { configured: false, message: 'no queue configured' };

/** The queue panel's data: counts by state, BullMQ's per-minute completions and the latest failures (no payloads). */
export async function queueView(queue: IngestQueue | undefined, latestFailures = 10): Promise<QueueView> {
  if (!queue) return NO_QUEUE;
  const [counts, metrics, failedJobs] = await Promise.all([
    queue.counts(),
    queue.ingestQueue.getMetrics('completed', 0, 59),
    queue.ingestQueue.getFailed(0, latestFailures - 1),
  ]);
  const failed = failedJobs.map((j) => ({ job: j.id ?? '', reason: j.failedReason, attempts: j.attemptsMade, failedAt: j.finishedOn ?? null }));
  return { configured: true, counts, completedPerMinute: metrics.data, throughputPerMinute: metrics.data[0] ?? null, completedRecorded: metrics.meta.count, failed };
}
