-- wrk script of bench/http_core.py.
--   BENCH_PATHS=file   GET a random path of the file (one path a line) per request;
--   BENCH_BODY=file    POST the file's body to BENCH_POST_PATH, "@N@" replaced by a
--                      per-request counter so that every created resource differs.
--   BENCH_TOKEN=jwt    sent as "Authorization: Bearer <jwt>" (the bare app ignores it).
-- done() prints one line "BENCH_JSON {...}": requests, duration, non-2xx, socket errors, p50/p99.

local threads = {}
local counter = 0
local paths = {}
local body_head, body_tail
local post_path = os.getenv("BENCH_POST_PATH")
local headers = {["Content-Type"] = "application/fhir+json", ["Accept"] = "application/fhir+json"}
if os.getenv("BENCH_TOKEN") then headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") end
non2xx = 0

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

local function read_all(name)
  local f = assert(io.open(name, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

function init(_args)
  math.randomseed(os.time() * 100 + thread_no)
  local paths_file = os.getenv("BENCH_PATHS")
  if paths_file then
    for line in io.lines(paths_file) do
      if #line > 0 then table.insert(paths, line) end
    end
  else
    local body = read_all(os.getenv("BENCH_BODY"))
    local at = assert(string.find(body, "@N@", 1, true), "no @N@ in the body")
    body_head, body_tail = string.sub(body, 1, at - 1), string.sub(body, at + 3)
  end
end

function request()
  if #paths > 0 then
    return wrk.format("GET", paths[math.random(#paths)], headers)
  end
  counter = counter + 1
  local body = body_head .. thread_no .. "-" .. counter .. body_tail
  return wrk.format("POST", post_path, headers, body)
end

function response(status, _headers, _body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, _requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("non2xx") or 0) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
