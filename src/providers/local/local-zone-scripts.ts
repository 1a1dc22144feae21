/**
 * The Lua scripts of a `local` zone. A script runs atomically in Redis, so a change batch is validated against
 * the zone and applied as one transaction (Route 53's all-or-nothing ChangeResourceRecordSets), and the
 * DNS server never reads a half-applied batch. Keys (one hash tag, so they live in one Redis Cluster slot):
 * KEYS[1] the records hash, KEYS[2] the changes hash, KEYS[3] the meta hash.
 *
 * Replies are arrays whose first element says what happened (`OK`, `THROTTLED`, `CONFLICT`, `REJECTED`), so
 * the caller maps them to typed provider errors instead of parsing Redis error strings.
 */
import { LuaScript } from '../../evaluator/lua-script';

/** Shared prelude: the fault hooks and the field parser. */
const PRELUDE = `
local records, changes, meta = KEYS[1], KEYS[2], KEYS[3]

-- Test hook: the next N calls of an operation answer THROTTLED (counters in the meta hash).
local function take_fault(operation)
  for _, field in ipairs({'faults:' .. operation, 'faults:any'}) do
    local left = tonumber(redis.call('HGET', meta, field) or '0') or 0
    if left > 0 then
      redis.call('HINCRBY', meta, field, -1)
      return true
    end
  end
  return false
end

local function split_field(field)
  return string.match(field, '^([^\\t]*)\\t([^\\t]*)\\t(.*)$')
end

local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local function publish(channel, zone)
  local serial = redis.call('HINCRBY', meta, 'serial', 1)
  redis.call('PUBLISH', channel, zone .. ' ' .. serial)
  return serial
end
`;

/**
 * ARGV[1] JSON array of `{a: action, f: field, l: label, after?: json, before?: json}`, ARGV[2] sync delay
 * (ms), ARGV[3] the updates channel, ARGV[4] the zone, ARGV[5] how many change records to keep.
 * Reply: `OK, changeId, submittedAt, syncAt, serial` or `<CODE>, message`.
 */
export const APPLY_CHANGES = new LuaScript(
  'local-zone-apply',
  `${PRELUDE}
if take_fault('apply') then
  return {'THROTTLED', 'Rate exceeded (injected fault)'}
end

local batch = cjson.decode(ARGV[1])
local conflicts = {}
for _, change in ipairs(batch) do
  local current = redis.call('HGET', records, change.f)
  if change.a == 'create' then
    if current then
      table.insert(conflicts, 'Tried to create resource record set ' .. change.l .. ' but it already exists')
    end
  elseif not current then
    table.insert(conflicts, 'Tried to ' .. change.a .. ' resource record set ' .. change.l .. ' but it was not found')
  elseif current ~= change.before then
    table.insert(conflicts, 'Tried to ' .. change.a .. ' resource record set ' .. change.l ..
      ' but the values provided do not match the current values')
  end
end
if #conflicts > 0 then
  return {'CONFLICT', table.concat(conflicts, '; ')}
end

-- The zone as it would be at the names the batch touches: which record set identities exist there.
local touched = {}
for _, change in ipairs(batch) do
  local name = split_field(change.f)
  touched[name] = touched[name] or {}
end
local fields = redis.call('HKEYS', records)
for _, field in ipairs(fields) do
  local name = split_field(field)
  if name and touched[name] then touched[name][field] = true end
end
for _, change in ipairs(batch) do
  local name = split_field(change.f)
  if change.a == 'delete' then touched[name][change.f] = nil else touched[name][change.f] = true end
end

local invalid = {}
local names = {}
for name in pairs(touched) do table.insert(names, name) end
table.sort(names)
for _, name in ipairs(names) do
  local types, plain, weighted = {}, {}, {}
  local type_count, has_cname = 0, false
  for field in pairs(touched[name]) do
    local _, rtype, set_id = split_field(field)
    if not types[rtype] then
      types[rtype] = true
      type_count = type_count + 1
    end
    if rtype == 'CNAME' then has_cname = true end
    if set_id == '' then plain[rtype] = true else weighted[rtype] = true end
  end
  if has_cname and type_count > 1 then
    table.insert(invalid, 'RRSet of type CNAME with DNS name ' .. name ..
      '. is not permitted as it conflicts with other records with the same DNS name in zone ' .. ARGV[4] .. '.')
  end
  for rtype in pairs(plain) do
    if weighted[rtype] then
      table.insert(invalid, 'RRSet with DNS name ' .. name .. '., type ' .. rtype ..
        ' cannot mix a non-weighted record set with weighted ones')
    end
  end
end
if #invalid > 0 then
  return {'REJECTED', table.concat(invalid, '; ')}
end

for _, change in ipairs(batch) do
  if change.a == 'delete' then
    redis.call('HDEL', records, change.f)
  else
    redis.call('HSET', records, change.f, change.after)
  end
end

local serial = publish(ARGV[3], ARGV[4])
local seq = redis.call('HINCRBY', meta, 'changeSeq', 1)
local id = string.format('L%06d', seq)
local submitted = now_ms()
local sync_at = submitted + tonumber(ARGV[2])
redis.call('HSET', changes, id, string.format('{"submittedAt":%.0f,"syncAt":%.0f,"serial":%d,"changes":%d}',
  submitted, sync_at, serial, #batch))
local keep = tonumber(ARGV[5])
if seq > keep then
  redis.call('HDEL', changes, string.format('L%06d', seq - keep))
end
return {'OK', id, string.format('%.0f', submitted), string.format('%.0f', sync_at), tostring(serial)}
`,
  3,
);

/**
 * ARGV: the names wanted. Reply: `OK, field1, json1, field2, json2, ...` (every record set at those names) or
 * `THROTTLED, message`. The whole hash is scanned: local zones are lab-sized.
 */
export const READ_NAMES = new LuaScript(
  'local-zone-read',
  `${PRELUDE}
if take_fault('read') then
  return {'THROTTLED', 'Rate exceeded (injected fault)'}
end
local wanted = {}
for _, name in ipairs(ARGV) do wanted[name] = true end
local reply = {'OK'}
local all = redis.call('HGETALL', records)
for i = 1, #all, 2 do
  local name = split_field(all[i])
  if name and wanted[name] then
    table.insert(reply, all[i])
    table.insert(reply, all[i + 1])
  end
end
return reply
`,
  3,
);

/**
 * Test and lab hook: ARGV[1] channel, ARGV[2] zone, then field/json pairs stored as they are (no validation:
 * seeding may build states the API would refuse). Bumps the serial and announces it like a change.
 */
export const SEED_RECORDS = new LuaScript(
  'local-zone-seed',
  `${PRELUDE}
for i = 3, #ARGV, 2 do
  redis.call('HSET', records, ARGV[i], ARGV[i + 1])
end
return publish(ARGV[1], ARGV[2])
`,
  3,
);
