-- Scripted requests for wrk, one simulated user per wrk thread (run with -tN -cN: each thread
-- has one connection, so its requests are a sequence: a timer started, then stopped).
--
--   wrk -t8 -c8 -d10s -s bench/wrk.lua http://127.0.0.1:8170 -- plan.lua
--
-- plan.lua returns { threads = { {cookie=, csrf=, vars={...}, lists={...}, steps={...}}, ... } }.
-- A step: {name=, method=, path=, body=, htmx=true, capture={var=pattern}, ack=name,
-- sessions=list, once=list}: with `sessions`, each cycle's request is sent as the user of that
-- cycle's item of the lists <list>_cookie and <list>_csrf instead of the thread's own; with
-- `once`, the thread stops after the last item of that list answered (each item used once).
-- In path and body, {var} is a variable (captured from an earlier response or given in vars),
-- {n} the cycle number, {tid} the thread number, {list:name} the cycle's item of a list, and
-- {slot}/{slot_end} a two-minute clock slot (HH:MM) of the cycle from vars.slot_base minutes.
-- done() prints one BENCH-RESULT line: latency percentiles (ms), errors, each thread's acks.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local me, step, cycle, vars, acks, bad

local function hhmm(minutes)
  return string.format("%02d:%02d", math.floor(minutes / 60) % 24, minutes % 60)
end

local function subst(text)
  if text == nil then return nil end
  return (text:gsub("{([%w_:]+)}", function(key)
    if key == "n" then return tostring(cycle) end
    if key == "tid" then return tostring(tid) end
    if key == "slot" then return hhmm(tonumber(vars.slot_base) + 2 * cycle) end
    if key == "slot_end" then return hhmm(tonumber(vars.slot_base) + 2 * cycle + 1) end
    local list = key:match("^list:(.+)$")
    if list then
      local items = me.lists[list]
      return tostring(items[(cycle - 1) % #items + 1])
    end
    return tostring(vars[key])
  end))
end

local function encode_acks()
  local parts = {}
  for k, v in pairs(acks) do table.insert(parts, k .. "=" .. v) end
  for k, v in pairs(bad) do table.insert(parts, "bad:" .. k .. "=" .. v) end
  ack_text = table.concat(parts, ";")
end

function init(args)
  local plan = dofile(args[1])
  me = plan.threads[(tid - 1) % #plan.threads + 1]
  step, cycle, vars, acks, bad = 1, 1, {}, {}, {}
  for k, v in pairs(me.vars or {}) do vars[k] = v end
  ack_text = ""
end

-- The step advances when its answer arrives, not when its request is built: wrk builds one
-- request in the first thread before the run to check the script, and a request that timed
-- out is sent again as it was.
function request()
  local s = me.steps[step]
  local cookie, csrf = me.cookie, me.csrf
  if s.sessions then
    local i = (cycle - 1) % #me.lists[s.sessions] + 1
    cookie, csrf = me.lists[s.sessions .. "_cookie"][i], me.lists[s.sessions .. "_csrf"][i]
  end
  local headers = { Cookie = cookie }
  if s.method ~= "GET" then
    headers["X-CSRFToken"] = csrf
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  if s.htmx then headers["HX-Request"] = "true" end
  return wrk.format(s.method, subst(s.path), headers, subst(s.body))
end

function response(status, headers, body)
  local s = me.steps[step]
  -- Captured whatever the status: a refused autosave (409) carries the stored version, a
  -- refused timer start (422) the running timer's stop link.
  if s.capture then
    for var, pattern in pairs(s.capture) do
      local value = body:match(pattern)
      if value then vars[var] = value end
    end
  end
  if status >= 400 then
    bad[s.name .. ":" .. status] = (bad[s.name .. ":" .. status] or 0) + 1
  else
    if s.ack then
      acks[s.ack] = cycle
      acks[s.ack .. "_count"] = (acks[s.ack .. "_count"] or 0) + 1
    end
  end
  encode_acks()
  if s.once and cycle >= #me.lists[s.once] then
    wrk.thread:stop()
  end
  step = step + 1
  if step > #me.steps then
    step = 1
    cycle = cycle + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local lines = {}
  for i, thread in ipairs(threads) do
    table.insert(lines, string.format('"%d": "%s"', thread:get("tid"), thread:get("ack_text") or ""))
  end
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "seconds": %.3f, "p50": %.3f, "p95": %.3f, "p99": %.3f, ' ..
    '"max": %.3f, "status_errors": %d, "socket_errors": %d, "threads": {%s}}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout,
    table.concat(lines, ", ")))
end
