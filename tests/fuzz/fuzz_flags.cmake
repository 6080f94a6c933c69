# Compiler flags of the libFuzzer build (GRACEWIRE_FUZZ=ON; tools/fuzz configures it). Every
# library is instrumented for coverage and built with ASan + UBSan; only the targets in
# tests/fuzz link libFuzzer's main (-fsanitize=fuzzer there).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
  message(FATAL_ERROR "GRACEWIRE_FUZZ needs clang 16 or later (Debian 12: clang-16): "
    "CMAKE_CXX_COMPILER=clang++-16")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
  -fno-sanitize-recover=all)
add_link_options(-fsanitize=address,undefined)
# libstdc++ 12 declares std::expected only when __cpp_concepts >= 202002L. Clang implements what
# that value stands for (P0848, conditionally trivial special members) since 16 but advertises
# it only from 19 on; clang 14 lacks it and cannot compile <expected> at all.
if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 19)
  add_compile_options(-D__cpp_concepts=202002L -Wno-macro-redefined)
endif()
