// Tests only: what every genint tool's command line promises (nn/core/command_line.h), checked on the real
// program: --help exits 0 and lists what it should; a bad value exits 2 with a message naming the option.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/run_command.h"

namespace genint::testing {

// `command` is a shell command line ending in a program (and subcommand), run with " --help".
inline void expect_help_lists(const std::string& command, const std::vector<std::string>& words) {
  const ProgramRun run = run_command("timeout 60 " + command + " --help");
  EXPECT_EQ(run.exit_status, 0) << command << " --help";
  for (const std::string& word : words)
    EXPECT_NE(run.output.find(word), std::string::npos) << command << " --help lacks " << word << ":\n" << run.output;
}

// Runs `command_line` (stderr joined to stdout): exit 2, and the message names `option`.
inline void expect_usage_error(const std::string& command_line, const std::string& option) {
  const ProgramRun run = run_command("timeout 60 " + command_line + " 2>&1");
  EXPECT_EQ(run.exit_status, 2) << command_line << "\n" << run.output;
  EXPECT_NE(run.output.find(option), std::string::npos) << command_line << " does not name " << option << ":\n"
                                                        << run.output;
  EXPECT_NE(run.output.find("--help"), std::string::npos) << command_line << " gives no hint to --help";
}

}  // namespace genint::testing
