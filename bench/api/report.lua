-- wrk script for the read runs: no per-request hook (it would slow wrk
-- down), only done(), which prints the figures run.sh reads as
-- "@ KEY=VALUE" lines.
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("@ requests=%d\n", summary.requests))
  io.write(string.format("@ seconds=%.3f\n", seconds))
  io.write(string.format("@ rate=%.1f\n", summary.requests / seconds))
  io.write(string.format("@ p50_ms=%.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("@ p99_ms=%.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("@ max_ms=%.3f\n", latency.max / 1000))
  io.write(string.format("@ bytes=%d\n", summary.bytes))
  io.write(string.format("@ non2xx=%d\n", e.status))
  io.write(string.format("@ socket_errors=%d\n", e.connect + e.read + e.write + e.timeout))
end
