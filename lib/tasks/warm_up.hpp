// A task that starts something at its first use (a served task starts the
// process that serves it): the runner warms it up before a cell's clocks
// start, so that the start-up is charged to no algorithm or metric. It
// still counts toward the cell's time limit, within which a program that
// never answers must end.
#pragma once

namespace vibench {

class WarmUp {
 public:
  virtual ~WarmUp() = default;
  virtual void warm_up() const = 0;
};

}  // namespace vibench
