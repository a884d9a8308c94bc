-- wrk script: paces requests to a fixed total rate (the first script argument, requests per second).
-- Every send takes the next slot of a shared schedule (slot k at start + k / rate), so the rate is
-- open-loop on average: a slow response delays only its own connection, never the schedule. wrk's
-- timers have millisecond resolution, so a send may leave up to ~1 ms off its slot; latency is
-- measured by wrk from the actual send, so that jitter does not enter the figures.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local interval_ms
local next_slot

function init(args)
  local rate = tonumber(args[1])
  if rate == nil or rate <= 0 then
    error("pace.lua needs the rate in requests per second as its argument")
  end
  interval_ms = 1000 / rate  -- run wrk with -t1: each thread has its own schedule
end

function delay()
  local now = now_ms()
  if next_slot == nil then
    next_slot = now
  end
  next_slot = next_slot + interval_ms
  local wait = next_slot - now
  if wait < 0 then
    return 0
  end
  return math.floor(wait)
end
