// genint-train's preemption handling: SIGTERM and SIGINT ask the training loop to stop after the current step
// (it then writes a checkpoint and exits with kExitPreempted); a second signal ends the process at once.
#pragma once

namespace genint::trainer {

// The exit status of a run stopped by SIGTERM or SIGINT after its checkpoint (EX_TEMPFAIL of sysexits.h: schedulers
// and wrapper scripts read it as "requeue and --resume latest").
constexpr int kExitPreempted = 75;

// While alive, SIGTERM and SIGINT set a flag the loop polls (the handler does nothing else that is not
// async-signal-safe: it sets the flag, writes one fixed line to stderr and restores the default actions, so a
// second signal terminates the process). The previous actions come back at destruction.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

// 0 when no stop was asked for, otherwise the signal number that asked.
int stop_signal();

}  // namespace genint::trainer
