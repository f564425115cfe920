// genint-bench's subcommands register themselves here, so each benchmark lives in its own file
// and the main program never changes when one is added.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace genint::bench {

struct BenchCommand {
  std::string summary;  // one line for --help
  std::function<int(const std::vector<std::string>& arguments)> run;
};

std::map<std::string, BenchCommand>& bench_commands();

struct BenchCommandRegistrar {
  BenchCommandRegistrar(const std::string& name, BenchCommand command) {
    bench_commands().emplace(name, std::move(command));
  }
};

// Parses "--name value" pairs and bare "--flag"s; throws genint::Error on a stray word or an unknown option.
class BenchOptions {
 public:
  BenchOptions(const std::vector<std::string>& arguments, const std::vector<std::string>& known_options);
  bool has(const std::string& name) const;
  std::string text(const std::string& name, const std::string& fallback) const;
  double number(const std::string& name, double fallback) const;
  int integer(const std::string& name, int fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace genint::bench
