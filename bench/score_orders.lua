-- wrk script: score a stream of distinct orders against `vigil serve`.
-- Each request is a new order (so every one is scored, explained and recorded,
-- never answered from the idempotency path) for a customer drawn from the
-- generated marketplace's ids. VIGIL_KEY is a scorer key.
--   wrk -t1 -c32 -d20s --latency -s bench/score_orders.lua http://127.0.0.1:8080/v1/orders/score
-- WRK_DELAY_MS paces each connection (e.g. -c16 with 2 ms: about 5 000/s at 1 ms latency).
local key = os.getenv("VIGIL_KEY") or ""
local customers = tonumber(os.getenv("VIGIL_CUSTOMERS") or "2500")
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "")
local payments = {"cod", "upi", "card", "cod", "upi"}
local ids = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_ids.lua")

function init(args)
  ids.thread_init()
end

function request()
  local body = string.format(
    '{"order_id":"B%s","customer_id":"C%07d","product_id":"P%05d",' ..
    '"amount":%d.00,"payment_method":"%s","delivery_pincode":"560001","device_id":"D%07d"}',
    ids.next(), math.random(customers), math.random(500), math.random(200, 40000),
    payments[math.random(#payments)], math.random(customers))
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-API-Key"] = key},
                    body)
end

if delay_ms then
  function delay()
    return delay_ms
  end
end
