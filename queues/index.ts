export { IngestQueue, type IngestQueueOptions, type SubmittedBatch, type BatchProgress, type FailedJob } from './ingest-queue.js';
export { IngestWorker, type IngestWorkerOptions } from './ingest-worker.js';
export { BATCH_QUEUE, INGEST_QUEUE, type BatchSummary, type IngestJobData, type IngestJobResult } from './jobs.js';
