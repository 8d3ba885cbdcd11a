-- wrk script: POST a small order-like JSON body to the target URL.
-- wrk -t1 -c32 -d10s --latency -s src/http/bench/post.lua http://127.0.0.1:PORT/echo
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "bench-key"
wrk.body = '{"order_id":"ORD123456","customer_id":"C42","amount":1499.0,' ..
           '"payment_method":"cod","pincode":"560001","items":3}'

-- Optional pacing: WRK_DELAY_MS=2 with -c10 gives at most ~5 000 requests/s
-- (each connection waits 2 ms before each request), for latency at a fixed load.
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "")
if delay_ms then
  function delay()
    return delay_ms
  end
end
