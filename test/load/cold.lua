-- Every request asks for a different price floor, so no cached answer fits.
math.randomseed(os.time())
request = function()
  local path = "/api/v1/products?category=kurtas&price_min=" .. math.random(1, 400000)
  return wrk.format("GET", path)
end
