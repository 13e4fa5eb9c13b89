# evpnd_add_test(NAME SOURCES... LIBS ...): a GoogleTest binary registered with CTest.
function(evpnd_add_test name)
  if(NOT EVPND_TESTS OR EVPND_FUZZ)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    EVPND_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    EVPND_CAPTURES_DIR="${PROJECT_SOURCE_DIR}/tests/vectors/captures")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS unit)
  set_property(GLOBAL APPEND PROPERTY EVPND_UNIT_TESTS ${name})
endfunction()

# Pure libraries (core, wire, bgp, evpn, engine) must not see sockets, asio or netlink:
# this check runs at configure time over their sources.
function(evpnd_check_pure dir)
  file(GLOB_RECURSE files ${dir}/*.hpp ${dir}/*.cpp)
  foreach(f ${files})
    file(STRINGS ${f} bad REGEX "#include[ \t]*[<\"](asio|sys/socket|netinet/|linux/netlink|libmnl|linux/rtnetlink|netdb|sys/epoll|unistd)")
    if(bad)
      message(FATAL_ERROR "${f}: pure library includes an I/O header: ${bad}")
    endif()
  endforeach()
endfunction()
