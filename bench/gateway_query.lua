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
