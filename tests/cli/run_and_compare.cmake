# Runs `PYHEAP run ARGS... SCRIPT` and checks its standard output: byte for byte against EXPECTED
# (a file) if given, else against the regular expression MATCH.
separate_arguments(run_args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${PYHEAP} run ${run_args} ${SCRIPT}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pyheap run exited with ${status}\n${out}${err}")
endif()
if(DEFINED EXPECTED)
  file(READ ${EXPECTED} want)
  if(NOT out STREQUAL want)
    message(FATAL_ERROR "output differs from ${EXPECTED}:\n--- got ---\n${out}--- want ---\n${want}")
  endif()
elseif(NOT out MATCHES "${MATCH}")
  message(FATAL_ERROR "output does not match ${MATCH}:\n${out}")
endif()
