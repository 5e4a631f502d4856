# gi_module(NAME [DEPS ...]) — one static library per source module. Sources are globbed
# (CONFIGURE_DEPENDS) so adding a file to a module needs no CMake edit; nested folders of
# a module (providers/openai_compat/...) belong to the same library.
function(gi_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/*.cc ${CMAKE_CURRENT_SOURCE_DIR}/*.h)
  list(FILTER srcs EXCLUDE REGEX "/main\\.cc$")
  set(cc_srcs ${srcs})
  list(FILTER cc_srcs INCLUDE REGEX "\\.cc$")
  if(cc_srcs)
    add_library(gi_${name} STATIC ${srcs})
    target_include_directories(gi_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(gi_${name} PUBLIC ${ARG_DEPS})
  else()
    add_library(gi_${name} INTERFACE)
    target_include_directories(gi_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(gi_${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# gi_unit_test(MODULE DEPS...) — one GoogleTest binary per module from test/unit/<module>.
function(gi_unit_test module)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_SOURCE_DIR}/${module}/*.cc)
  if(NOT srcs)
    return()
  endif()
  add_executable(unit_${module} ${srcs})
  target_link_libraries(unit_${module} PRIVATE ${ARG_DEPS} gi_test_support GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(unit_${module} DISCOVERY_MODE PRE_TEST
                       WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       PROPERTIES ENVIRONMENT "GI_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
