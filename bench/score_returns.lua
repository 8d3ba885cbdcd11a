-- wrk script: score a stream of distinct return requests against `vigil serve`.
-- Each request is a new return (so every one is scored, explained and
-- recorded) of an order drawn from the generated marketplace's ingested
-- orders O00000001..O<VIGIL_ORDERS>. VIGIL_KEY is a scorer key.
--   ROUTE=v1/returns/score LUA=bench/score_returns.lua bench/profile_score.sh DIR
local key = os.getenv("VIGIL_KEY") or ""
local orders = tonumber(os.getenv("VIGIL_ORDERS") or "100000")
local reasons = {"size does not fit", "defective", "not as described", "changed my mind", "wrong item"}
local ids = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_ids.lua")

function init(args)
  ids.thread_init()
end

function request()
  local body = string.format(
    '{"return_id":"BR%s","order_id":"O%08d","reason":"%s","refund_amount":%d}',
    ids.next(), math.random(orders), reasons[math.random(#reasons)], math.random(100, 20000))
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-API-Key"] = key},
                    body)
end
