/**
 * The Lua script that records ONE observation atomically: streak, opinion, last observation, and whether
 * the opinion flipped. A TypeScript string (not a .lua file) so `tsc` ships it without a copy step.
 *
 * KEYS[1] streaks   hash field -> signed streak (+n consecutive oks, -n consecutive failures)
 * KEYS[2] opinions  hash field -> up | down | unknown
 * KEYS[3] last      hash field -> JSON of the last observation (with recordedAt = Redis TIME in ms)
 * ARGV[1] field     "<endpoint>\t<region>"
 * ARGV[2] ok        "1" | "0"
 * ARGV[3] failureThreshold   down after this many consecutive failures
 * ARGV[4] successThreshold   up after this many consecutive successes
 * ARGV[5] last JSON without recordedAt (an object literal ending in "}", carrying "run" and "seq")
 * ARGV[6] runId     one id per worker process run
 * ARGV[7] seq       increasing per run
 * ARGV[8] replay    "1" when this observation may already have been applied (its earlier reply was lost)
 *
 * Returns { flipped (0|1), opinion, previous opinion, streak, duplicate (0|1) }.
 *
 * WHY the replay check: when a connection drops, a batch may have run on the server while its replies were
 * lost; the worker sends it again marked as a replay, and the script skips what the field's last observation
 * shows as already applied (same run, sequence at or beyond). Only replays pay for that read, and the common
 * path stays at five Redis calls: a script call's cost grows with every call inside it.
 * Thresholds come from the caller (the config), never from Redis: a reload changes them at the next check.
 */
export const RECORD_OBSERVATION_LUA = `
local field = ARGV[1]
local ok = ARGV[2] == '1'
local runId = ARGV[6]
local seq = tonumber(ARGV[7])

local stored = redis.call('HGET', KEYS[2], field)
local previous = stored or 'unknown'
local streak = tonumber(redis.call('HGET', KEYS[1], field) or '0')

if ARGV[8] == '1' then
  local raw = redis.call('HGET', KEYS[3], field)
  if raw then
    local decoded, last = pcall(cjson.decode, raw)
    if decoded and type(last) == 'table' and last.run == runId and tonumber(last.seq) and tonumber(last.seq) >= seq then
      return {0, previous, previous, streak, 1}
    end
  end
end

if ok then
  if streak > 0 then streak = streak + 1 else streak = 1 end
else
  if streak < 0 then streak = streak - 1 else streak = -1 end
end

local opinion = previous
if ok and streak >= tonumber(ARGV[4]) then
  opinion = 'up'
elseif (not ok) and -streak >= tonumber(ARGV[3]) then
  opinion = 'down'
end

local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

redis.call('HSET', KEYS[1], field, streak)
redis.call('HSET', KEYS[3], field, string.sub(ARGV[5], 1, -2) .. ',"recordedAt":' .. string.format('%d', nowMs) .. '}')
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
