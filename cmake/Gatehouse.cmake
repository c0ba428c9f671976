# Helpers shared by every folder's CMakeLists.txt.

# gatehouse_test(NAME SOURCES a_test.cc ... LIBS lib ...)
# One GoogleTest binary, registered with CTest test by test.
function(gatehouse_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
endfunction()

include(GoogleTest)
