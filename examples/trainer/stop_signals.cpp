// The signal handler behind genint-train's preemption: an atomic flag (lock-free, so async-signal-safe) that the
// training loop reads between steps, and a reset to the default actions so that a second signal kills at once.
#include "examples/trainer/stop_signals.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

namespace genint::trainer {
namespace {

std::atomic<int> requested_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

struct sigaction previous_term, previous_interrupt;

void restore_default(int signal_number) {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(signal_number, &action, nullptr);
}

extern "C" void on_stop_signal(int signal_number) {
  requested_signal.store(signal_number);
  restore_default(SIGTERM);
  restore_default(SIGINT);
  static const char message[] =
      "\ngenint-train: stop requested: finishing the current step and writing a checkpoint (a second signal exits "
      "at once)\n";
  const ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
}

}  // namespace

StopSignals::StopSignals() {
  requested_signal.store(0);
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGTERM);  // the two handlers never interleave
  sigaddset(&action.sa_mask, SIGINT);
  action.sa_flags = SA_RESTART;  // blocking reads and waits in the loader go on; the loop polls the flag
  sigaction(SIGTERM, &action, &previous_term);
  sigaction(SIGINT, &action, &previous_interrupt);
}

StopSignals::~StopSignals() {
  sigaction(SIGTERM, &previous_term, nullptr);
  sigaction(SIGINT, &previous_interrupt, nullptr);
}

int stop_signal() {
  return requested_signal.load();
}

}  // namespace genint::trainer
