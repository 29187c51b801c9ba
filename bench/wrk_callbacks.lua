-- wrk script of bench/wrk_pinned.py: POSTs pre-signed callbacks, each thread its own share.
-- args: FILE (lines "path<TAB>body") and the number of wrk threads.
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  requests, position = {}, 0
  local file, threads, line_number = io.open(args[1]), tonumber(args[2]), 0
  for line in file:lines() do
    if line_number % threads == id then
      local path, body = line:match("^(.-)\t(.*)$")
      requests[#requests + 1] = wrk.format(
        "POST", path, { ["Content-Type"] = "text/xml; charset=utf-8" }, body
      )
    end
    line_number = line_number + 1
  end
  file:close()
end

function request()
  position = position % #requests + 1
  return requests[position]
end
