// A distribution whose reference draws are given, by a file the user names
// (external_density's reference_draws_file), rather than computed by NUTS:
// reference_posterior() returns them as they are, and every cell compares
// with them as it would with a NUTS reference.
#pragma once

#include "core/params.hpp"
#include "core/types.hpp"

namespace vibench {

class GivenReferenceDraws {
 public:
  virtual ~GivenReferenceDraws() = default;
  // In the task's coordinates, one draw per row.
  virtual const Matrix& given_draws() const = 0;
  // Where they came from: {file, format, matched, content_hash, draws}.
  virtual Json given_draws_provenance() const = 0;
};

}  // namespace vibench
