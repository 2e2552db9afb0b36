-- wrk script: POST a ticket with a unique request id per request (idempotent issuing).
local counter = 0
local thread_id = 0
local services = {"A101", "B201", "C301", "D401", "E503", "G701"}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local body = string.format('{"service":"%s","request_id":"wrk-%s-%d-%d"}',
    services[(counter % #services) + 1], tostring(tid), counter, math.random(1, 1000000000))
  return wrk.format("POST", "/api/v1/sites/city-hall/tickets",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("HQ_TOKEN")}, body)
end
