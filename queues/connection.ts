import { Redis } from 'ioredis';
import { ErrorCode, fail } from '../src/errors.js';
import { isRedisUrl, redactUrl } from '../src/store/redis-store.js';

/**
 * A BullMQ connection. Workers: maxRetriesPerRequest null, so commands wait out a Redis restart instead of failing.
 * Producers: no offline queue, so a call fails fast while Redis is away and the caller decides.
 */
export async function connect(url: string, role: 'worker' | 'producer'): Promise<Redis> {
  if (!isRedisUrl(url)) fail(ErrorCode.INVALID, `'${url}' is not a redis:// URL`);
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    ...(role === 'producer' ? { enableOfflineQueue: false } : {}),
  });
  redis.on('error', () => {}); // ioredis reconnects; failed calls report their own errors
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    fail(ErrorCode.STATE, `cannot connect to ${redactUrl(url)}: ${(err as Error).message}`);
  }
  return redis;
}
