# Included by the top-level CMakeLists.txt when TW_FUZZ=ON, before any target exists: every
# library the harnesses link gets libFuzzer's coverage instrumentation (fuzzer-no-link) and
# ASan + UBSan, so a bug deep inside the loader is found and reported where it happens.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TW_FUZZ=ON needs clang++ (libFuzzer ships with clang; Debian 12: packages "
                      "clang and libclang-rt-14-dev). Configure with -DCMAKE_CXX_COMPILER=clang++.")
endif()
if(TW_SANITIZE)
  message(FATAL_ERROR "TW_FUZZ=ON brings its own sanitizers; leave TW_SANITIZE off.")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                    -fno-sanitize-recover=undefined)
add_link_options(-fsanitize=address,undefined)
