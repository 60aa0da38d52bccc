// FUZZ_CHECK: a fuzz target's property assertion. Unlike assert(), it holds in every build type;
// a failure prints the condition and aborts, which libFuzzer reports as a crash and saves the
// input (fuzz/run keeps those inputs out of the tree).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
