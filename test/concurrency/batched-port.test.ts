import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { CallPort } from '../../src/store/batched-port.js';
import { AtlasError, ErrorCode } from '../../src/errors.js';

const built = (path: string): string => fileURLToPath(new URL(`../../dist/src/${path}`, import.meta.url));

// The served object: records the order calls start in, counts the messages it receives, fails and exits on request.
const SERVER = `
const { parentPort, workerData } = require('node:worker_threads');
Promise.all([import(workerData.port), import(workerData.errors)]).then(([{ serveCalls }, { AtlasError }]) => {
  const started = [];
  let messages = 0;
  parentPort.on('message', () => messages++);
  serveCalls({
    async add(a, ms) { started.push(a); if (ms) await new Promise((r) => setTimeout(r, ms)); return a + ms; },
    fail(code) { throw new AtlasError(code, 'asked to fail'); },
    seen() { return { started, messages }; },
    exit() { process.exit(3); },
  }, parentPort);
});`;

let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
});

function start(): { port: CallPort; replies: () => number } {
  worker = new Worker(SERVER, { eval: true, workerData: { port: built('store/batched-port.js'), errors: built('errors.js') } });
  let replies = 0;
  worker.on('message', () => replies++);
  return { port: new CallPort(worker), replies: () => replies };
}

describe('batched comlink calls to another thread', () => {
  it('sends the calls of one turn in one message, starts them in order and answers each with its own result', async () => {
    const { port, replies } = start();
    await port.call('seen'); // the server is up
    const before = replies();
    const sums = await Promise.all(Array.from({ length: 100 }, (_, i) => port.call<number>('add', i, 0)));
    expect(sums).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // They settle in the same turn, so their replies travel together too.
    expect(replies() - before).toBe(1);
    const { started, messages } = await port.call<{ started: number[]; messages: number }>('seen');
    expect(started).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(messages).toBe(3); // 'seen', the 100 adds, 'seen'
  });

  it('a slow call holds back only the calls of its own turn, not later ones', async () => {
    const { port } = start();
    const order: string[] = [];
    const slow = port.call('add', 1, 300).then(() => order.push('slow'));
    const sameTurn = port.call('add', 3, 0).then(() => order.push('same turn'));
    await new Promise((r) => setImmediate(r));
    await Promise.all([slow, sameTurn, port.call('add', 2, 0).then(() => order.push('later'))]);
    expect(order).toEqual(['later', 'slow', 'same turn']);
  });

  it('an AtlasError keeps its code across the thread; pending calls fail when the thread exits', async () => {
    const { port } = start();
    const err = await port.call('fail', ErrorCode.WITNESS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlasError);
    expect(err).toMatchObject({ code: ErrorCode.WITNESS, message: 'WITNESS: asked to fail' });
    const slow = port.call('add', 1, 10_000);
    const gone = port.call('exit');
    await expect(slow).rejects.toThrow(/exited \(code 3\)/);
    await expect(gone).rejects.toThrow(/exited/);
  });
});
