-- wrk script for bench/gateway.sh: POSTs the same question with a valid JWT.
-- Environment:
--   BEDSIDE_BENCH_TOKEN  bearer token (required)
--   BEDSIDE_BENCH_BODY   JSON body (default: the seeded question)
--   BEDSIDE_BENCH_RATE   optional total requests/second to pace to (for the half-load run)
--   BEDSIDE_BENCH_CONNECTIONS  connections given to wrk -c (used with the rate)
local token = os.getenv("BEDSIDE_BENCH_TOKEN") or ""
local body = os.getenv("BEDSIDE_BENCH_BODY") or '{"question":"What is the first-line treatment for sepsis?"}'
local rate = tonumber(os.getenv("BEDSIDE_BENCH_RATE") or "")
local connections = tonumber(os.getenv("BEDSIDE_BENCH_CONNECTIONS") or "64")

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

if rate and rate > 0 then
  -- Each connection sends one request after another; this gap spreads them to `rate` in
  -- total. Defined only when pacing: wrk schedules every request on a timer once delay() exists.
  local pause = connections * 1000.0 / rate
  function delay()
    return pause
  end
end

-- BEDSIDE_BENCH_STATUS_FILE: count responses by status (bench/soak.sh) and write
-- "status <code> <count>" lines to that file when wrk is done. Off by default: a Lua call
-- per response costs wrk throughput.
local status_file = os.getenv("BEDSIDE_BENCH_STATUS_FILE")
if status_file and status_file ~= "" then
  local threads = {}
  function setup(thread)
    table.insert(threads, thread)
  end
  function init(args)
    statuses = {}
  end
  function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
  end
  function done(summary, latency, requests)
    local total = {}
    for _, t in ipairs(threads) do
      for code, n in pairs(t:get("statuses")) do
        total[code] = (total[code] or 0) + n
      end
    end
    local f = io.open(status_file, "w")
    for code, n in pairs(total) do
      f:write(string.format("status %d %d\n", code, n))
    end
    f:close()
  end
end
