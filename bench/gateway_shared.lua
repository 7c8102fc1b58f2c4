-- wrk script for bench/gateway_shared.sh with SUBJECTS > 1: POSTs the same question, each
-- request with the next of several tokens (one subject each), so the shared rate-limit
-- buckets are many rows rather than one hot row.
-- Environment:
--   BEDSIDE_BENCH_TOKENS  bearer tokens separated by spaces or commas (required)
--   BEDSIDE_BENCH_BODY    JSON body (default: the seeded question)
local tokens = {}
for t in string.gmatch(os.getenv("BEDSIDE_BENCH_TOKENS") or "", "[^%s,]+") do
  table.insert(tokens, t)
end
local body = os.getenv("BEDSIDE_BENCH_BODY") or '{"question":"What is the first-line treatment for sepsis?"}'
local requests = {}
local next_request = 0

function init(args)
  for _, t in ipairs(tokens) do
    local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. t }
    table.insert(requests, wrk.format("POST", nil, headers, body))
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end
