# Each library under src/ sees only the headers of itself and of what it links.
#
# For src/<dir>, the build tree gets include/<dir>/<dir> -> src/<dir> (a symlink made at
# configure time), and gw_<dir> (or the target named in GW_HEADER_OWNERS) exposes include/<dir>
# as its include directory. `#include "session/session.h"` then resolves only in targets that
# link gw_session, directly or through a PUBLIC dependency: a library that includes a header of
# a layer it does not link fails to compile. tools/check_layering.sh adds the rules a link
# alone cannot state (protocol and session must not include libuv or OpenSSL's SSL).

# Folders whose target is not gw_<dir>.
set(GW_HEADER_OWNERS "app=gracewire")

# gw_expose_headers(<target> <dir>): <target> publishes src/<dir> as "<dir>/…".
function(gw_expose_headers target dir)
  set(root ${CMAKE_BINARY_DIR}/include/${dir})
  file(MAKE_DIRECTORY ${root})
  if(NOT EXISTS ${root}/${dir})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${dir} ${root}/${dir} SYMBOLIC)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  elseif(type STREQUAL "EXECUTABLE")
    target_include_directories(${target} PRIVATE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()

# gw_expose_all_headers(): every folder of src/ with a target, after all add_subdirectory calls.
# A new library (src/foo with gw_foo) needs nothing more than its own CMakeLists.txt.
function(gw_expose_all_headers)
  file(GLOB dirs LIST_DIRECTORIES true RELATIVE ${PROJECT_SOURCE_DIR}/src
       ${PROJECT_SOURCE_DIR}/src/*)
  foreach(dir IN LISTS dirs)
    if(NOT IS_DIRECTORY ${PROJECT_SOURCE_DIR}/src/${dir})
      continue()
    endif()
    set(target gw_${dir})
    foreach(owner IN LISTS GW_HEADER_OWNERS)
      if(owner MATCHES "^${dir}=(.+)$")
        set(target ${CMAKE_MATCH_1})
      endif()
    endforeach()
    if(TARGET ${target})
      gw_expose_headers(${target} ${dir})
    else()
      message(FATAL_ERROR "src/${dir} has no target ${target}: add it to GW_HEADER_OWNERS")
    endif()
  endforeach()
endfunction()
