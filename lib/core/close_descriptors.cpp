#include "core/close_descriptors.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

namespace vibench {

void close_descriptors_from(int first, int keep) {
  auto close_range_of = [](int low, int high) {
    if (low > high) return;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, static_cast<unsigned>(low),
                static_cast<unsigned>(high), 0) == 0)
      return;
#endif
    const long open_max = sysconf(_SC_OPEN_MAX);
    const int last = static_cast<int>(
        std::min<long>(high, open_max > 0 ? open_max - 1 : 1023));
    for (int fd = low; fd <= last; ++fd) close(fd);
  };
  if (keep < first) {
    close_range_of(first, INT_MAX);
    return;
  }
  close_range_of(first, keep - 1);
  close_range_of(keep + 1, INT_MAX);
}

}  // namespace vibench
