-- Sends 16 requests back to back on each connection before reading (HTTP/1.1 pipelining).
local depth = 16

init = function(args)
  local requests = {}
  for i = 1, depth do
    requests[i] = wrk.format(nil, wrk.path)
  end
  pipelined = table.concat(requests)
end

request = function()
  return pipelined
end
