// moodycamel's BlockingConcurrentQueue behind one include. GCC's optimiser reports a possible null
// dereference and a bogus stringop-overflow inside the queue's inlined producer code (it cannot see that a
// token's producer is never null), so those two warnings are silenced for the library's lines only.
// Include this header first: the silencing covers <atomic> only if this is where it is first included.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#include <blockingconcurrentqueue.h>

#include <atomic>
#pragma GCC diagnostic pop

#include <chrono>
#include <cstddef>

// The queue publishes items with std::atomic_thread_fence, which ThreadSanitizer does not model, so
// tests/loader/tsan.supp suppresses races whose stack shows a frame of the queue ("moodycamel::ConcurrentQueue",
// which the queue's default-traits template argument also spells). Once the optimiser inlines the queue into
// the loader's own functions that frame is gone and the report comes back, depending on inlining decisions.
// Under TSan these calls stay out of line, so every queue access keeps a frame naming the queue's type.
#if defined(__SANITIZE_THREAD__)
#define GENINT_QUEUE_CALL __attribute__((noinline))
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GENINT_QUEUE_CALL __attribute__((noinline))
#endif
#endif
#ifndef GENINT_QUEUE_CALL
#define GENINT_QUEUE_CALL inline
#endif

namespace genint::loader::queue_call {

template <class Queue, class Item>
GENINT_QUEUE_CALL bool enqueue(Queue& queue, const Item& item) {
  return queue.enqueue(item);
}

template <class Queue, class Token, class Item>
GENINT_QUEUE_CALL bool enqueue_bulk(Queue& queue, Token& token, const Item* items, std::size_t count) {
  return queue.enqueue_bulk(token, items, count);
}

template <class Queue, class Item>
GENINT_QUEUE_CALL std::size_t wait_dequeue_bulk_timed(Queue& queue, Item* items, std::size_t count,
                                                      std::chrono::milliseconds timeout) {
  return queue.wait_dequeue_bulk_timed(items, count, timeout);
}

template <class Queue, class Token, class Item>
GENINT_QUEUE_CALL std::size_t wait_dequeue_bulk_timed(Queue& queue, Token& token, Item* items, std::size_t count,
                                                      std::chrono::milliseconds timeout) {
  return queue.wait_dequeue_bulk_timed(token, items, count, timeout);
}

template <class Queue, class Item>
GENINT_QUEUE_CALL bool wait_dequeue_timed(Queue& queue, Item& item, std::chrono::milliseconds timeout) {
  return queue.wait_dequeue_timed(item, timeout);
}

template <class Queue, class Token, class Item>
GENINT_QUEUE_CALL bool wait_dequeue_timed(Queue& queue, Token& token, Item& item, std::chrono::milliseconds timeout) {
  return queue.wait_dequeue_timed(token, item, timeout);
}

}  // namespace genint::loader::queue_call
