-- wrk script: POST /token with grant_type=client_credentials and HTTP Basic client
-- authentication. Usage: wrk -s client_credentials.lua URL/token -- CLIENT_ID CLIENT_SECRET [EXTRA]
-- The id and secret must be URL-safe as given (RFC 6749 §2.3.1 form-encodes them first). EXTRA,
-- already form-encoded, is appended to the body (e.g. resource=... for an RFC 8707 audience).
-- Every response that is not 200 is counted by status and reported at the end, so that a fast
-- run of errors is not mistaken for throughput.

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    for j = 3, 0, -1 do
      local k = math.floor(n / 64 ^ j) % 64 + 1
      out[#out + 1] = alphabet:sub(k, k)
    end
    if not c then out[#out] = "=" end
    if not b then out[#out - 1] = "=" end
  end
  return table.concat(out)
end

-- Per-thread state; each wrk thread runs its own Lua interpreter. Flat tables only: wrk 4.1
-- crashes when thread:get copies nested tables.
non200 = 0
counts = {}   -- status -> responses
samples = {}  -- status -> one body, to say why

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  assert(#args == 2 or #args == 3,
         "usage: wrk -s client_credentials.lua URL -- CLIENT_ID CLIENT_SECRET [EXTRA]")
  wrk.method = "POST"
  wrk.body = "grant_type=client_credentials"
  if args[3] then wrk.body = wrk.body .. "&" .. args[3] end
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. base64(args[1] .. ":" .. args[2])
end

function response(status, headers, body)
  if status ~= 200 then
    local key = tostring(status)
    non200 = non200 + 1
    counts[key] = (counts[key] or 0) + 1
    samples[key] = samples[key] or body
  end
end

function done(summary, latency, requests)
  local total, by_status, sample = 0, {}, {}
  for _, thread in ipairs(threads) do
    total = total + thread:get("non200")
    for status, n in pairs(thread:get("counts")) do by_status[status] = (by_status[status] or 0) + n end
    for status, body in pairs(thread:get("samples")) do sample[status] = sample[status] or body end
  end
  io.write(string.format("non-200 responses: %d of %d\n", total, summary.requests))
  for status, n in pairs(by_status) do
    io.write(string.format("  %s x%d, e.g. %s\n", status, n, string.sub(sample[status] or "", 1, 200)))
  end
end
