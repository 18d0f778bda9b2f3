# Runs `PYHEAP run ARGS... SCRIPT` and checks its standard output: byte for byte against EXPECTED
# (a file) if given, else against the regular expression MATCH. The exit status must be STATUS
# (default 0), and the error stream match ERR_MATCH when given (else it is not looked at).
separate_arguments(run_args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${PYHEAP} run ${run_args} ${SCRIPT}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
if(NOT DEFINED STATUS)
  set(STATUS 0)
endif()
if(NOT status EQUAL STATUS)
  message(FATAL_ERROR "pyheap run exited with ${status}, not ${STATUS}\n${out}${err}")
endif()
if(DEFINED ERR_MATCH AND NOT err MATCHES "${ERR_MATCH}")
  message(FATAL_ERROR "the error stream does not match ${ERR_MATCH}:\n${err}")
endif()
if(DEFINED EXPECTED)
  file(READ ${EXPECTED} want)
  if(NOT out STREQUAL want)
    message(FATAL_ERROR "output differs from ${EXPECTED}:\n--- got ---\n${out}--- want ---\n${want}")
  endif()
elseif(NOT out MATCHES "${MATCH}")
  message(FATAL_ERROR "output does not match ${MATCH}:\n${out}")
endif()
