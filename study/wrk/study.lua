-- wrk script of the concurrency study (study/run). With STUDY_PIPELINE=N in the environment each
-- connection sends N requests back to back before reading (HTTP/1.1 pipelining, as
-- bench/wrk/pipeline.lua); without it wrk's own cached request is used, so plaintext costs wrk no Lua
-- per request. At the end it prints the percentiles wrk's --latency leaves out (99.9%) on one line
-- the study parses: "STUDY latency_us <p50> <p99> <p99.9> <max>".
local depth = tonumber(os.getenv("STUDY_PIPELINE") or "1") or 1

if depth > 1 then
  local pipelined = nil
  request = function()
    if pipelined == nil then
      local requests = {}
      for i = 1, depth do
        requests[i] = wrk.format(nil, wrk.path)
      end
      pipelined = table.concat(requests)
    end
    return pipelined
  end
end

done = function(summary, latency, requests)
  io.write(string.format("STUDY latency_us %.0f %.0f %.0f %.0f\n",
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
