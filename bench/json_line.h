// Benchmark output: one JSON object per line on stdout, so scripts can diff and compare runs.
// Every line names its benchmark in "bench" and states the figure's unit in the key.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace genint::bench {

inline void print_json_line(const nlohmann::json& measurement) {
  std::printf("%s\n", measurement.dump().c_str());
  std::fflush(stdout);
}

// CPU seconds this process has used (all threads): with the machine shared, items per CPU-second shows
// what a figure costs apart from how many cores the others left free.
inline double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Throughput {
  double items = 0.0;
  double seconds = 0.0;      // wall clock
  double cpu_seconds = 0.0;  // every thread of the process, producers included
  double per_second() const { return seconds > 0.0 ? items / seconds : 0.0; }
  double per_cpu_second() const { return cpu_seconds > 0.0 ? items / cpu_seconds : 0.0; }
};

// Runs `step` (which returns how many items it processed) repeatedly for at least `seconds`,
// after one untimed warm-up call.
template <typename Step>
Throughput measure_throughput(double seconds, Step&& step) {
  step();
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const double cpu_start = process_cpu_seconds();
  Throughput result;
  do {
    result.items += static_cast<double>(step());
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  } while (result.seconds < seconds);
  result.cpu_seconds = process_cpu_seconds() - cpu_start;
  return result;
}

template <typename Step>
double items_per_second(double seconds, Step&& step) {
  return measure_throughput(seconds, step).per_second();
}

}  // namespace genint::bench
