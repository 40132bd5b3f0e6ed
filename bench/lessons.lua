-- wrk script for bench/lessons.py: every request carries the learner's cookies (session and
-- CSRF, BENCH_COOKIE); an answer that is not a 200 containing BENCH_EXPECT counts as bad.
local cookie = os.getenv("BENCH_COOKIE")
local expect = os.getenv("BENCH_EXPECT")
local threads = {}

wrk.headers["Cookie"] = cookie

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, expect, 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), total_bad,
    e.connect + e.read + e.write + e.timeout))
end
