#pragma once
// Property checks inside fuzz targets: a broken property is a crash (libFuzzer's contract),
// with the reason on stderr; the driver then saves the input (driver.cc).

#include <cstdio>
#include <cstdlib>

#define GI_FUZZ_CHECK(cond, what)                                                     \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "fuzz property broken at %s:%d: %s (%s)\n", __FILE__,      \
                   __LINE__, what, #cond);                                            \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)
