-- wrk script: GET the console's poll as many consoles would, each with its session cookie and the ETag of its
-- last answer (lines "SESSION ETAG" of $BENCH_SESSIONS, rotated per request); prints a JSON summary.
local consoles = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
  local session, etag = line:match("^(%S+)%s*(%S*)$")
  if session then table.insert(consoles, {session, etag}) end
end
local next_console = 0
not_modified, full = 0, 0  -- globals: done() reads them with thread:get
local threads = {}

-- $BENCH_DELAY_MS > 0: each connection is one console that waits about that long between polls (spread
-- ±50% so that the consoles do not poll in step); unset: a closed loop, as fast as the server answers.
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  function delay()
    return math.random(math.floor(pause / 2), math.floor(pause * 3 / 2))
  end
end

function setup(thread)
  table.insert(threads, thread)
end

function request()
  next_console = next_console % #consoles + 1
  local console = consoles[next_console]
  local headers = {["Cookie"] = "sessionid=" .. console[1], ["Accept"] = "application/json"}
  if console[2] ~= "" then headers["If-None-Match"] = console[2] end
  return wrk.format("GET", nil, headers)
end

function response(status, headers, body)
  if status == 304 then not_modified = not_modified + 1 elseif status == 200 then full = full + 1 end
end

function done(summary, latency, requests)
  local n304, n200 = 0, 0
  for _, thread in ipairs(threads) do
    n304 = n304 + thread:get("not_modified")
    n200 = n200 + thread:get("full")
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non_2xx": %d, ' ..
    '"socket_errors": %d, "not_modified": %d, "ok": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, n304, n200))
end
