#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <malloc.h>

int main(int argc, char** argv) {
  // As in the vibench program: reuse large freed blocks instead of paying
  // page faults for a fresh mmap at every metric evaluation.
  mallopt(M_MMAP_THRESHOLD, 512 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  doctest::Context context(argc, argv);
  return context.run();
}
