-- wrk script for the create runs: POSTs the pod in $POD_FILE (a
-- metadata.generateName, so every request makes a new pod) and counts
-- the answers by status, so that a failing server does not look fast.
local f = assert(io.open(os.getenv("POD_FILE") or "bench/api/pod.json", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  created = 0
  other = 0
  statuses = {}
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local n201, nother, codes = 0, 0, {}
  for _, thread in ipairs(threads) do
    n201 = n201 + thread:get("created")
    nother = nother + thread:get("other")
    for status, n in pairs(thread:get("statuses")) do
      codes[status] = (codes[status] or 0) + n
    end
  end
  local list = {}
  for status, n in pairs(codes) do
    table.insert(list, status .. ":" .. n)
  end
  table.sort(list)
  io.write(string.format("@ requests=%d\n", summary.requests))
  io.write(string.format("@ seconds=%.3f\n", seconds))
  io.write(string.format("@ rate=%.1f\n", n201 / seconds))
  io.write(string.format("@ p50_ms=%.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("@ p99_ms=%.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("@ max_ms=%.3f\n", latency.max / 1000))
  io.write(string.format("@ n201=%d\n", n201))
  io.write(string.format("@ other=%d\n", nother))
  io.write(string.format("@ other_statuses=%s\n", #list > 0 and table.concat(list, ",") or "-"))
  io.write(string.format("@ socket_errors=%d\n", e.connect + e.read + e.write + e.timeout))
end
