# Test prerequisites that a fresh Debian 12 machine lacks: CPython 3.11 (the differential tests'
# reference), node with Debian's Chromium and tests/js/node_modules (the browser and memlab tests).
#
# scripts/test.sh installs all of them and configures with PYHEAP_TESTS_REQUIRE_ALL=ON, so there a
# missing one is a broken setup: configuration fails (CPython), or the test fails with the reason
# (browser, checked when the test runs, since `npm ci` may come after configuring). A user who
# configures by hand without them gets every such test registered anyway, reported by ctest as
# "Skipped" with the reason in its output, never a build failure and never a test that silently
# does not exist.
option(PYHEAP_TESTS_REQUIRE_ALL
  "Fail instead of skipping tests whose prerequisites (CPython 3.11, node, Chromium, tests/js/node_modules) are missing; scripts/test.sh sets it"
  OFF)

# What a test script prints (and ctest matches) to say it was skipped; tests/js/require_browser.sh
# prints the same words.
set(PYHEAP_SKIP_MARK "SKIPPED:")
set(PYHEAP_TEST_PREREQS_MODE $<IF:$<BOOL:${PYHEAP_TESTS_REQUIRE_ALL}>,require,skip>)

# pyheap_add_test(NAME name [MISSING reason] [LABELS l...] [TIMEOUT s] [COST s] COMMAND cmd...)
# Registers the test. MISSING, when not empty, names a prerequisite found absent at configure
# time: the test is then registered as one that prints the reason and is skipped (or, with
# PYHEAP_TESTS_REQUIRE_ALL, configuration stops). Every test may also skip itself at run time by
# printing "SKIPPED: reason" (the browser checks do); PYHEAP_TEST_PREREQS in its environment says
# whether it may (skip) or must fail instead (require). COST is the seconds a test takes in a
# Release run: ctest -j starts tests in decreasing cost, and on a fresh machine it has no timings
# of its own, so the long tests are given theirs and start first, instead of one of them running
# alone at the end while the other job idles.
function(pyheap_add_test)
  cmake_parse_arguments(T "" "NAME;MISSING;TIMEOUT;COST" "LABELS;COMMAND" ${ARGN})
  if(T_MISSING)
    if(PYHEAP_TESTS_REQUIRE_ALL)
      message(FATAL_ERROR "pyheap: test ${T_NAME} needs ${T_MISSING} (scripts/test.sh installs it; "
                          "configure with -DPYHEAP_TESTS_REQUIRE_ALL=OFF to skip such tests instead)")
    endif()
    message(WARNING "pyheap: test ${T_NAME} will be skipped: ${T_MISSING} not found")
    add_test(NAME ${T_NAME} COMMAND ${CMAKE_COMMAND} -E echo "${PYHEAP_SKIP_MARK} ${T_MISSING} not found (scripts/test.sh installs it)")
  else()
    add_test(NAME ${T_NAME} COMMAND ${T_COMMAND})
  endif()
  set_tests_properties(${T_NAME} PROPERTIES
    SKIP_REGULAR_EXPRESSION "^${PYHEAP_SKIP_MARK}|\n${PYHEAP_SKIP_MARK}"
    ENVIRONMENT "PYHEAP_TEST_PREREQS=${PYHEAP_TEST_PREREQS_MODE}")
  if(T_LABELS)
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
  endif()
  if(T_TIMEOUT)
    set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT})
  endif()
  if(T_COST)
    set_tests_properties(${T_NAME} PROPERTIES COST ${T_COST})
  endif()
endfunction()

# CPython 3.11, the reference semantics. PYHEAP_CPYTHON311_MISSING is empty when found.
find_package(Python3 3.11...<3.12 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(PYHEAP_CPYTHON311_MISSING "")
else()
  set(PYHEAP_CPYTHON311_MISSING "CPython 3.11 (python3)")
endif()
