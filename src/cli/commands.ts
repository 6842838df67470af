import type { Command } from './command.js';
import { info } from './commands/info.js';
import { ingest } from './commands/ingest.js';
import { get } from './commands/get.js';
import { recall } from './commands/recall.js';
import { verify } from './commands/verify.js';
import { stats } from './commands/stats.js';
import { rebalance } from './commands/rebalance.js';
import { worker } from './commands/worker.js';
import { enqueue } from './commands/enqueue.js';
import { serve } from './commands/serve.js';

export const COMMANDS: readonly Command[] = [info, ingest, get, recall, verify, stats, rebalance, enqueue, worker, serve];
