// moodycamel's BlockingConcurrentQueue behind one include. GCC's optimiser reports a possible null
// dereference and a bogus stringop-overflow inside the queue's inlined producer code (it cannot see that a
// token's producer is never null), so those two warnings are silenced for the library's lines only.
// Include this header first: the silencing covers <atomic> only if this is where it is first included.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#include <atomic>
#include <blockingconcurrentqueue.h>
#pragma GCC diagnostic pop
