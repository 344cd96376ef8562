-- One rate-limit check, atomically: GCRA on the window key, then the UTC-day counter.
-- Nothing is consumed unless both allow. Both keys carry the same {hash tag} (one cluster slot).
-- KEYS[1] window key: theoretical arrival time, epoch microseconds (unused when ARGV[2] is 0)
-- KEYS[2] day counter key (unused when ARGV[4] is 0)
-- KEYS[3] instance marker: set once per Redis data set; nil or changed = Redis lost its data
-- ARGV[1] now (epoch µs)  ARGV[2] emission interval (µs, 0 = no window limit)
-- ARGV[3] capacity (limit × interval, µs)  ARGV[4] day limit (0 = none)  ARGV[5] day key expiry (epoch ms)
-- Returns {allowed 1|0, denied_by 0 none|1 window|2 day, window used µs, retry after µs, day count, marker}
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local day_limit = tonumber(ARGV[4])
local marker = redis.call('GET', KEYS[3]) or ''

local tat = now
local used = 0
if interval > 0 then
  tat = tonumber(redis.call('GET', KEYS[1]) or 0)
  if tat < now then tat = now end
  used = tat + interval - now
end

local day = 0
if day_limit > 0 then day = tonumber(redis.call('GET', KEYS[2]) or 0) end

if used > cap then
  return {0, 1, tat - now, used - cap, day, marker}
end
if day_limit > 0 then
  if day >= day_limit then
    return {0, 2, tat - now, 0, day, marker}
  end
  day = redis.call('INCR', KEYS[2])
  if day == 1 then redis.call('PEXPIREAT', KEYS[2], ARGV[5]) end
end
if interval > 0 then
  -- %.0f: Lua's tostring would round epoch microseconds to 14 significant digits
  redis.call('SET', KEYS[1], string.format('%.0f', tat + interval), 'PX', math.ceil(used / 1000) + 1000)
end
return {1, 0, used, 0, day, marker}
