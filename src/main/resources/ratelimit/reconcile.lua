-- After an outage: raises one subject's state so that it holds what this node knows (what Redis
-- last told it) plus what the node let through on its own meanwhile. Never lowers anything.
-- KEYS[1] window key  KEYS[2] day counter key
-- ARGV[1] now (epoch µs)  ARGV[2] last known arrival time (epoch µs, 0 = none)
-- ARGV[3] GCRA time of the requests let through locally (µs)  ARGV[4] last known day count
-- ARGV[5] day requests let through locally  ARGV[6] day key expiry (epoch ms, 0 = no day key)
local now = tonumber(ARGV[1])
local known = tonumber(ARGV[2])
local add = tonumber(ARGV[3])
if known > now or add > 0 then
  local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
  if tat < known then tat = known end
  if tat < now then tat = now end
  tat = tat + add
  redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
end
local expiry = tonumber(ARGV[6])
if expiry > 0 then
  local known_day = tonumber(ARGV[4])
  local add_day = tonumber(ARGV[5])
  if known_day > 0 or add_day > 0 then
    local day = tonumber(redis.call('GET', KEYS[2]) or 0)
    if day < known_day then day = known_day end
    redis.call('SET', KEYS[2], day + add_day)
    redis.call('PEXPIREAT', KEYS[2], expiry)
  end
end
return 1
