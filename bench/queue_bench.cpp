// genint-bench queue: the loader's hand-off in isolation: P producers push 16-byte sample handles with
// producer tokens and bulk enqueues, one consumer takes them with blocking bulk dequeues.
// First: see the header's note on warnings.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "loader/pipeline/blocking_queue.h"

namespace genint::bench {
namespace {

struct Handle {  // the size of the loader's ReadySample
  std::uint32_t lane;
  std::uint32_t buffer;
  std::uint64_t task;
};

struct QueueBenchOptions {
  int producers = 4, bulk = 8;
  double seconds = 2.0;
};

void declare_queue(CommandSpec command, QueueBenchOptions& options) {
  command.integer("--producers", options.producers, "producer threads", 1, 256);
  command.integer("--bulk", options.bulk, "handles per bulk enqueue", 1, 4096);
  command.number("--seconds", options.seconds, "measured wall time", 0.0, 86400.0, true);
}

int run_queue(const QueueBenchOptions& options) {
  const int producers = options.producers, bulk = options.bulk;
  const double seconds = options.seconds;
  moodycamel::BlockingConcurrentQueue<Handle> queue(4096, static_cast<std::size_t>(producers), 1);
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> outstanding{0};
  std::vector<std::thread> threads;
  for (int producer = 0; producer < producers; ++producer)
    threads.emplace_back([&, producer] {
      moodycamel::ProducerToken token(queue);
      std::vector<Handle> items(static_cast<std::size_t>(bulk));
      for (std::uint64_t task = 0; !stop.load(std::memory_order_relaxed);) {
        // Bounded like the loader's pools: producers back off while the consumer is 4096 items behind.
        if (outstanding.load(std::memory_order_relaxed) > 4096) {
          std::this_thread::yield();
          continue;
        }
        for (Handle& item : items) item = Handle{static_cast<std::uint32_t>(producer), 0, task++};
        outstanding.fetch_add(bulk, std::memory_order_relaxed);
        queue.enqueue_bulk(token, items.data(), items.size());
      }
    });
  moodycamel::ConsumerToken token(queue);
  std::vector<Handle> received(256);
  const double items_per_s = items_per_second(seconds, [&] {
    const std::size_t count =
        queue.wait_dequeue_bulk_timed(token, received.data(), received.size(), std::chrono::milliseconds(10));
    outstanding.fetch_sub(static_cast<std::int64_t>(count), std::memory_order_relaxed);
    return count;
  });
  stop = true;
  for (std::thread& thread : threads) thread.join();
  print_json_line({{"bench", "queue"},
                   {"producers", producers},
                   {"bulk", bulk},
                   {"items_per_s", items_per_s},
                   {"ns_per_item", 1e9 / items_per_s}});
  return 0;
}

const SubcommandRegistrar registrar(
    bench_commands(), "queue",
    make_subcommand("lock-free sample hand-off: P producers (tokens, bulk) → 1 blocking consumer", declare_queue,
                    run_queue));

}  // namespace
}  // namespace genint::bench
