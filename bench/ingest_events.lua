-- wrk script: POST /v1/events with NDJSON bodies of EVENTS_PER_REQUEST (500)
-- distinct events each: order.delivered and return.requested outcomes for
-- orders the bench creates, and customer.upserted profiles, so every line is
-- decoded, checked for duplicates, applied and stored. VIGIL_KEY: a scorer key.
-- EVENTS_DELAY_MS: when set, each connection waits this long before each
-- request, for a steady background stream instead of the peak rate.
--   wrk -t1 -c4 -d20s -s bench/ingest_events.lua http://127.0.0.1:8080/v1/events
local key = os.getenv("VIGIL_KEY") or ""
local per_request = tonumber(os.getenv("EVENTS_PER_REQUEST") or "500")
local delay_ms = tonumber(os.getenv("EVENTS_DELAY_MS") or "")
local counter = 0
local prefix = tostring(os.time())

function init(args)
  prefix = prefix .. "_" .. tostring(math.random(1000000))
end

if delay_ms then
  function delay()
    return delay_ms
  end
end

function request()
  local lines = {}
  for i = 1, per_request do
    counter = counter + 1
    local n = counter % 3
    if n == 0 then
      lines[i] = string.format(
        '{"type":"customer.upserted","customer_id":"CE%s_%d","pincode":"560001"}', prefix, counter)
    elseif n == 1 then
      lines[i] = string.format(
        '{"type":"order.placed","order_id":"OE%s_%d","customer_id":"CE%s_%d",' ..
        '"product_id":"P00001","amount":999,"payment_method":"cod"}',
        prefix, counter, prefix, counter - 1)
    else
      lines[i] = string.format('{"type":"order.delivered","order_id":"OE%s_%d"}', prefix,
                               counter - 1)
    end
  end
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-ndjson", ["X-API-Key"] = key},
                    table.concat(lines, "\n") .. "\n")
end

-- Events per second = requests per second x EVENTS_PER_REQUEST.
function done(summary, latency, requests)
  io.write(string.format("events/s: %.0f (%d events in %.1f s)\n",
                         summary.requests * per_request / (summary.duration / 1e6),
                         summary.requests * per_request, summary.duration / 1e6))
end
