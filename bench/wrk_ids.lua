-- Shared by the wrk scripts (dofile'd from beside them): ids unique to this
-- run and to each wrk thread, so that every request is new to the server and
-- is scored and recorded, never answered from the idempotency path.
local ids = {counter = 0, prefix = tostring(os.time()) .. "_" .. tostring(math.random(1000000))}

-- Each wrk thread gets its own Lua state; call from init() to keep theirs apart.
function ids.thread_init()
  ids.prefix = ids.prefix .. "_" .. tostring(math.random(1000000))
end

-- "<prefix>_<n>", n = 1, 2, ...
function ids.next()
  ids.counter = ids.counter + 1
  return ids.prefix .. "_" .. ids.counter
end

return ids
