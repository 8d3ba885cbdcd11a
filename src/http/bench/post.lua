-- wrk script: POST a small order-like JSON body to the target URL.
-- wrk -t1 -c32 -d10s --latency -s src/http/bench/post.lua http://127.0.0.1:PORT/echo
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "bench-key"
wrk.body = '{"order_id":"ORD123456","customer_id":"C42","amount":1499.0,' ..
           '"payment_method":"cod","pincode":"560001","items":3}'
