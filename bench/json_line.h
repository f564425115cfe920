// Benchmark output: one JSON object per line on stdout, so scripts can diff and compare runs.
// Every line names its benchmark in "bench" and states the figure's unit in the key.
#pragma once

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace genint::bench {

inline void print_json_line(const nlohmann::json& measurement) {
  std::printf("%s\n", measurement.dump().c_str());
  std::fflush(stdout);
}

// Runs `step` (which returns how many items it processed) repeatedly for at least `seconds`,
// after one untimed warm-up call; returns items per second.
template <typename Step>
double items_per_second(double seconds, Step&& step) {
  step();
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  double items = 0.0;
  double elapsed = 0.0;
  do {
    items += static_cast<double>(step());
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return items / elapsed;
}

}  // namespace genint::bench
