// probe_tests' main: the whole binary runs in a network namespace of its own (root), made
// before any thread exists, so the probes and the fakes only ever see the test addresses.
// Listing the tests (ctest's discovery) needs no namespace.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "fake_server.h"

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--gtest_list_tests") == 0) listing = true;
  }
  ::testing::InitGoogleTest(&argc, argv);
  if (!listing) {
    std::string error;
    if (!vigil::fake::EnterTestNetns(&error)) {
      std::fprintf(stderr, "probe_tests: %s\n", error.c_str());
      return 1;
    }
    std::signal(SIGPIPE, SIG_IGN);  // a fake writing to a probe that has gone
  }
  return RUN_ALL_TESTS();
}
