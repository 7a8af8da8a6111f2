# vigil_module(NAME SOURCES ... DEPS ...): one static library per module, include root src/.
function(vigil_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(vigil_${name} STATIC ${M_SOURCES})
  target_include_directories(vigil_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  if(M_DEPS)
    target_link_libraries(vigil_${name} PUBLIC ${M_DEPS})
  endif()
endfunction()

# vigil_test(NAME SOURCES ... DEPS ...): a GoogleTest executable registered with CTest.
function(vigil_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
endfunction()
