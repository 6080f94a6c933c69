# The layering rules that linking alone cannot enforce (system headers are visible to every
# target), checked over the sources: cmake -DSOURCE_DIR=<repo> -P cmake/check_layering.cmake
# Exits non-zero naming each file and include that breaks a rule. Registered as the unit test
# `layering.includes` (tests/CMakeLists.txt).
#
# A rule: folder under src/ | regular expression an #include's target must not match | why.
set(rules
  "protocol|^(uv\\.h|uv/.*|openssl/ssl\\.h|openssl/bio\\.h)$|sans-IO: no libuv, no OpenSSL SSL"
  "protocol|^(net|proxy|control|app|session|eventlog)/|protocol is the lowest layer above core"
  "session|^(uv\\.h|uv/.*|openssl/ssl\\.h|openssl/bio\\.h)$|sans-IO: no libuv, no OpenSSL SSL"
  "session|^(net|proxy|control|app|eventlog)/|session sits below net, control and proxy"
  "eventlog|^(proxy|net|control|app)/|the proxy hands records to the event log, not back"
  "eventlog|^(uv\\.h|uv/.*)$|the event log runs its own thread, no libuv"
  "publish|^(proxy|app|session|net)/|records reach the publisher through the event log only"
)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "check_layering: pass -DSOURCE_DIR=<repository root>")
endif()
set(failures 0)
foreach(rule IN LISTS rules)
  string(REPLACE "|" ";" parts "${rule}")
  # The regular expression itself holds "|": the folder is the first field, the reason the last.
  list(GET parts 0 dir)
  list(POP_BACK parts why)
  list(REMOVE_AT parts 0)
  list(JOIN parts "|" pattern)
  file(GLOB_RECURSE sources ${SOURCE_DIR}/src/${dir}/*.h ${SOURCE_DIR}/src/${dir}/*.cpp)
  if(NOT sources)
    message(SEND_ERROR "check_layering: no sources in src/${dir}")
    math(EXPR failures "${failures} + 1")
  endif()
  foreach(source IN LISTS sources)
    file(STRINGS ${source} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*$" "\\1" target
                           "${line}")
      if(target MATCHES "${pattern}")
        file(RELATIVE_PATH shown ${SOURCE_DIR} ${source})
        message(SEND_ERROR "${shown}: #include ${target}: ${why}")
        math(EXPR failures "${failures} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()
if(failures GREATER 0)
  message(FATAL_ERROR "check_layering: ${failures} violation(s)")
endif()
message(STATUS "check_layering: every rule holds")
