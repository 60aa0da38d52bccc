// StartGate: lets a Server accept connections before what its Handler needs is ready (the storage
// engine opening, which on a large data directory can take far longer than binding a port).
//
// Guard(handler) returns a Handler for the Server. Until Open(), a request that reaches it waits
// (the event loop that received it blocks; the kernel keeps accepting into the listen backlog);
// Open() releases every waiting request and all later ones to `handler`. After Fail(), waiting and
// later requests are answered 503 through the given ErrorBodyFn (the server is going away), so no
// event loop stays blocked and the Server can be stopped.
//
// Invariants: the state only moves kStarting -> kOpen or kStarting -> kFailed, once. A guarded
// handler runs only after Open(), and sees everything the thread calling Open() wrote before it
// (the objects `handler` uses): the state is stored with release and loaded with acquire.
// The destructor calls Fail() if neither was called; a server using the gate must still be
// stopped only after Fail() or Open() (below), since its loops may be blocked in the gate.
//
// Thread safety: Guard()'s Handlers are called concurrently from every loop; Open() and Fail()
// from any thread. REQUIRES: the gate outlives every Server using its Handlers (declare it
// first), and Fail() or Open() is called before such a Server is stopped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "http/message.h"
#include "http/server.h"

namespace cairn::http {

class StartGate {
 public:
  StartGate() = default;
  ~StartGate() { Fail(); }
  StartGate(const StartGate&) = delete;
  StartGate& operator=(const StartGate&) = delete;

  // A Handler that waits for the gate, then runs `handler`; 503 (filled by `error_body`, or the
  // server's default body when it is empty) once the gate has failed.
  Handler Guard(Handler handler, ErrorBodyFn error_body);

  // Releases the requests: from now on guarded handlers run. No effect after Fail().
  void Open();
  // Answers the waiting and later requests 503. No effect after Open().
  void Fail();

  bool open() const { return state_.load(std::memory_order_acquire) == State::kOpen; }

 private:
  enum class State { kStarting, kOpen, kFailed };
  // Blocks while starting; returns the state it left.
  State Wait();
  void Set(State state);

  std::atomic<State> state_{State::kStarting};
  std::mutex mu_;
  std::condition_variable changed_;  // state_ left kStarting
};

}  // namespace cairn::http
