// Lua for the Redis store's partial fields (src/store/redis-holo-store.ts): writers' heartbeats, checkpoints that a
// retired writer cannot make, and the fold of dead writers' partials into one base partial per shard.

/** Milliseconds by the Redis server's clock, the one clock every host shares. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: writers, retired. ARGV: writer, ttl ms. 0 when the writer was retired (its partials folded). */
export const BEAT = `if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
${NOW}
redis.call('HSET', KEYS[1], ARGV[1], now + tonumber(ARGV[2]))
return 1`;

/**
 * KEYS: retired, partials, version, state, then (field, documents) keys per partial. ARGV: writer, its fields'
 * generation, the partials' names, then (field, documents) per partial. 0 when the writer was retired (its saved
 * partials now live in the base) or a rebalance replaced its generation.
 */
export const CHECKPOINT = `if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
local state = cjson.decode(redis.call('GET', KEYS[4]) or '{}')
if (state.generation or 0) ~= tonumber(ARGV[2]) then return 0 end
local n = (#KEYS - 4) / 2
for i = 1, n do
  redis.call('SET', KEYS[3 + 2 * i], ARGV[1 + n + 2 * i])
  redis.call('SET', KEYS[4 + 2 * i], ARGV[2 + n + 2 * i])
  redis.call('SADD', KEYS[2], ARGV[2 + i])
end
redis.call('INCR', KEYS[3])
return 1`;

/** KEYS: one key. ARGV: expected, next. Sets it to next only if it still holds expected. */
export const SET_IF = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

/**
 * A rebalance's swap. KEYS: state, records, partials, version, config, then (field, documents) keys of each new base
 * partial. ARGV: the state the rebalance paused, the new state, the new config ('' to keep it), base partials b,
 * records r, the field and documents key prefixes, r (id, record) pairs, the b base names, (field, documents) per
 * base. Every partial of the old generation goes. 0 when the pause is no longer the rebalance's.
 */
export const SWAP_FIELDS = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local b = tonumber(ARGV[4])
local r = tonumber(ARGV[5])
for _, name in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  redis.call('DEL', ARGV[6] .. name, ARGV[7] .. name)
end
redis.call('DEL', KEYS[3])
for i = 1, r do
  redis.call('HSET', KEYS[2], ARGV[6 + 2 * i], ARGV[7 + 2 * i])
end
local a = 7 + 2 * r
for i = 1, b do
  redis.call('SET', KEYS[4 + 2 * i], ARGV[a + b + 2 * i - 1])
  redis.call('SET', KEYS[5 + 2 * i], ARGV[a + b + 2 * i])
  redis.call('SADD', KEYS[3], ARGV[a + i])
end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', KEYS[5], ARGV[3]) end
redis.call('INCR', KEYS[4])
return 1`;

/**
 * KEYS: partials, version, writers, retired, then (field, documents) keys per base shard written, then (field,
 * documents) keys per partial folded. ARGV: the version the fold read first (every checkpoint, fold and swap bumps
 * it, so anything saved meanwhile makes the fold read again), base shards b, dead writers w, the w writers, the b base
 * names, (field, documents) per base shard, the folded partials' names.
 * 0: something was saved meanwhile; -1: a writer thought dead beat again; 1: folded, the dead writers retired.
 */
export const FOLD = `if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
${NOW}
local b = tonumber(ARGV[2])
local w = tonumber(ARGV[3])
for i = 1, w do
  local until_ms = redis.call('HGET', KEYS[3], ARGV[3 + i])
  if until_ms and tonumber(until_ms) > now then return -1 end
end
for i = 1, w do
  redis.call('SADD', KEYS[4], ARGV[3 + i])
  redis.call('HDEL', KEYS[3], ARGV[3 + i])
end
local a = 3 + w
for i = 1, b do
  redis.call('SET', KEYS[3 + 2 * i], ARGV[a + b + 2 * i - 1])
  redis.call('SET', KEYS[4 + 2 * i], ARGV[a + b + 2 * i])
  redis.call('SADD', KEYS[1], ARGV[a + i])
end
local f0 = 4 + 2 * b
for j = 1, (#KEYS - f0) / 2 do
  redis.call('DEL', KEYS[f0 + 2 * j - 1], KEYS[f0 + 2 * j])
  redis.call('SREM', KEYS[1], ARGV[a + 3 * b + j])
end
redis.call('INCR', KEYS[2])
return 1`;

export interface FieldScripts {
  atlasBeat(numKeys: number, ...args: Array<string | Buffer>): Promise<number>;
  atlasCheckpoint(numKeys: number, ...args: Array<string | Buffer>): Promise<number>;
  atlasFold(numKeys: number, ...args: Array<string | Buffer>): Promise<number>;
  atlasSetIf(numKeys: number, ...args: Array<string | Buffer>): Promise<number>;
  atlasSwapFields(numKeys: number, ...args: Array<string | Buffer>): Promise<number>;
}
