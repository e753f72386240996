-- wrk script for the benchmarks: every request carries the JWT of another user (round robin
-- over a token file, each wrk thread taking its own slice), so per-user rate limits and the
-- JWT cache see a realistic spread. Prints a JSON summary that bench/load.py reads.
--   BENCH_TOKENS  file with one JWT per line
--   BENCH_METHOD  GET or POST;  BENCH_BODY  request body (POST)
--   BENCH_APIKEY  anon key sent as `apikey`, as supabase-js does
--   BENCH_PREFER  optional Prefer header (a table insert returning its row)
--   BENCH_BODIES  optional file with one body per line, sent round robin instead of BENCH_BODY
--                 (the companion names its user in the body, not in the token)
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    tokens[#tokens + 1] = line
  end
  method = os.getenv("BENCH_METHOD") or "POST"
  body = os.getenv("BENCH_BODY")
  apikey = os.getenv("BENCH_APIKEY")
  prefer = os.getenv("BENCH_PREFER")
  bodies = {}
  local bodies_file = os.getenv("BENCH_BODIES")
  if bodies_file and bodies_file ~= "" then
    for line in io.lines(bodies_file) do
      bodies[#bodies + 1] = line
    end
  end
  nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  index = id
end

function request()
  local token = tokens[((index - 1) % #tokens) + 1]
  local sent = body
  if #bodies > 0 then
    sent = bodies[((index - 1) % #bodies) + 1]
  end
  index = index + nthreads
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["apikey"] = apikey,
    ["Content-Type"] = "application/json",
  }
  if prefer and prefer ~= "" then
    headers["Prefer"] = prefer
  end
  return wrk.format(method, nil, headers, method == "POST" and sent or nil)
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"timeouts": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.mean))
end
