// Closing inherited descriptors in a freshly forked child.
#pragma once

namespace vibench {

// Closes every descriptor from `first` on except `keep` (-1: none). Other
// threads of the runner create pipes for their own cells at the same time;
// a child that kept a copy of another cell's write end would hold that
// cell's pipe open and its parent would wait for an end-of-file that never
// comes. Async-signal-safe (close_range, else a loop of close), so it may
// run between fork() and exec().
void close_descriptors_from(int first, int keep = -1);

}  // namespace vibench
