// Tests only: runs a shell command line as a subprocess and returns its exit status and standard output
// (standard error goes to the test log), for the tests that drive the command-line programs.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace genint::testing {

struct ProgramRun {
  int exit_status = -1;  // -1 when the command could not start or did not exit normally
  std::string output;    // stdout only
};

// Callers prefix `timeout N` so a hang becomes a failed test instead of a stuck suite.
inline ProgramRun run_command(const std::string& command) {
  ProgramRun run;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char chunk[4096];
  for (std::size_t got; (got = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) run.output.append(chunk, got);
  const int status = ::pclose(pipe);
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace genint::testing
