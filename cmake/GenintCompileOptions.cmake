# Warning flags, warnings-as-errors and sanitizers, applied per target through genint_target_defaults().
# Sanitizers apply to everything we build (libraries, tests, tools) so their runtime sees all our code.
set(GENINT_CXX_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough)

if(GENINT_SANITIZE)
  string(REPLACE ";" "," _genint_sanitizers "${GENINT_SANITIZE}")
  add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=${_genint_sanitizers};-fno-omit-frame-pointer;-fno-sanitize-recover=all>")
  add_link_options("-fsanitize=${_genint_sanitizers}")
endif()

# Applies the project's warning set and include root to a target we own.
function(genint_target_defaults target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${GENINT_CXX_WARNINGS}>)
  if(GENINT_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>
                           $<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings>)
  endif()
  target_compile_definitions(${target} PRIVATE GENINT_WITH_CUDA=${GENINT_WITH_CUDA_VALUE})
endfunction()
