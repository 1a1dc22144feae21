/**
 * The Lua script that records ONE observation atomically: streak, opinion, last observation, and whether
 * the opinion flipped. A TypeScript string (not a .lua file) so `tsc` ships it without a copy step.
 *
 * KEYS[1] streaks   hash field -> signed streak (+n consecutive oks, -n consecutive failures)
 * KEYS[2] opinions  hash field -> up | down | unknown
 * KEYS[3] last      hash field -> JSON of the last observation (with recordedAt = Redis TIME in ms)
 * KEYS[4] applied   hash field -> "<runId>\t<seq>" of the newest observation applied
 * ARGV[1] field     "<endpoint>\t<region>"
 * ARGV[2] ok        "1" | "0"
 * ARGV[3] failureThreshold   down after this many consecutive failures
 * ARGV[4] successThreshold   up after this many consecutive successes
 * ARGV[5] last JSON without recordedAt (an object literal ending in "}")
 * ARGV[6] runId     one id per worker process run
 * ARGV[7] seq       increasing per run
 *
 * Returns { flipped (0|1), opinion, previous opinion, streak, duplicate (0|1) }.
 *
 * WHY the (runId, seq) guard: when a connection drops, a batch may have run on the server while its replies
 * were lost; the worker replays it, and without the guard the replayed checks would count twice in the streak.
 * Thresholds come from the caller (the config), never from Redis: a reload changes them at the next check.
 */
export const RECORD_OBSERVATION_LUA = `
local field = ARGV[1]
local ok = ARGV[2] == '1'
local failureThreshold = tonumber(ARGV[3])
local successThreshold = tonumber(ARGV[4])
local runId = ARGV[6]
local seq = tonumber(ARGV[7])

local stored = redis.call('HGET', KEYS[2], field)
local previous = stored or 'unknown'
local streak = tonumber(redis.call('HGET', KEYS[1], field) or '0')

local applied = redis.call('HGET', KEYS[4], field)
if applied then
  local sep = string.find(applied, '\\t', 1, true)
  if sep and string.sub(applied, 1, sep - 1) == runId and tonumber(string.sub(applied, sep + 1)) >= seq then
    return {0, previous, previous, streak, 1}
  end
end

if ok then
  if streak > 0 then streak = streak + 1 else streak = 1 end
else
  if streak < 0 then streak = streak - 1 else streak = -1 end
end

local opinion = previous
if ok and streak >= successThreshold then
  opinion = 'up'
elseif (not ok) and -streak >= failureThreshold then
  opinion = 'down'
end

local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local last = string.sub(ARGV[5], 1, -2) .. ',"recordedAt":' .. string.format('%d', nowMs) .. '}'

redis.call('HSET', KEYS[1], field, streak)
redis.call('HSET', KEYS[3], field, last)
redis.call('HSET', KEYS[4], field, runId .. '\\t' .. ARGV[7])
if opinion ~= previous or not stored then
  redis.call('HSET', KEYS[2], field, opinion)
end

local flipped = 0
if opinion ~= previous then flipped = 1 end
return {flipped, opinion, previous, streak, 0}
`;

/**
 * Writes one worker's heartbeat with the Redis server's time.
 *
 * KEYS[1] heartbeats hash (region -> freshest beat)   KEYS[2] this worker's key   KEYS[3] workers sorted set
 * ARGV: region, workerId, version, configHash, ttl ms
 * Returns the Redis time in ms.
 */
export const HEARTBEAT_LUA = `
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local beat = cjson.encode({ workerId = ARGV[2], region = ARGV[1], version = ARGV[3], configHash = ARGV[4] })
beat = string.sub(beat, 1, -2) .. ',"time":' .. string.format('%d', nowMs) .. '}'
redis.call('SET', KEYS[2], beat, 'PX', ARGV[5])
redis.call('HSET', KEYS[1], ARGV[1], beat)
redis.call('ZADD', KEYS[3], nowMs, ARGV[1] .. '\\t' .. ARGV[2])
-- A worker gone for a day is history, not a member of the fleet.
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs - 86400000)
return nowMs
`;
