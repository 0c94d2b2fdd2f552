-- cluster/run --measure: GET one of the carts m-1 .. m-100 at random, so every cart, and with
-- several nodes every node, takes its share of the load.
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/carts/m-" .. math.random(1, 100))
end
