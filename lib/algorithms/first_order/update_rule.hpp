// Update rules: the part first-order methods share (DESIGN.md, "First-order
// methods share their parts"; Optax's transforms). A rule turns a direction
// d into a move of the points x, keeping its own state:
//
//   x ← x + move(d, η)
//
// where d is −∇f for an optimizer, the Stein direction φ for a particle
// method, −F(z) for a saddle solver and −ĥ for a bilevel solver, and η is the
// step of the schedule (schedule.hpp) at this step. x and d are n×dim, one
// point per row; a rule acts per point and coordinate (Adam) or per point,
// through the point's global norm (DoG, normalized, clipped).
//
// A rule is a small class R with
//   static constexpr const char* kName, kDescription;
//   static constexpr double kDefaultStepSize;  // the paper's or its code's
//   static constexpr const char* kStepSizeSource;
//   struct Settings { ...; static void declare(ParamFields<Settings>&); };
//   explicit R(const Settings&);
//   void apply(Matrix& x, const Matrix& d, double eta);  // keeps the state
// and one line in rules.cpp's table.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "core/param_struct.hpp"
#include "core/types.hpp"

namespace vibench {

// The running state of a rule in one run.
class RuleState {
 public:
  virtual ~RuleState() = default;
  virtual void apply(Matrix& x, const Matrix& d, double eta) = 0;
};

// A configured rule: immutable, shared by every run of an algorithm.
class UpdateRule {
 public:
  virtual ~UpdateRule() = default;
  virtual std::unique_ptr<RuleState> start() const = 0;
};

template <class R>
class RuleOf final : public UpdateRule {
 public:
  explicit RuleOf(typename R::Settings settings)
      : settings_(std::move(settings)) {}
  std::unique_ptr<RuleState> start() const override {
    return std::make_unique<Running>(settings_);
  }

 private:
  struct Running final : RuleState {
    explicit Running(const typename R::Settings& s) : rule(s) {}
    void apply(Matrix& x, const Matrix& d, double eta) override {
      rule.apply(x, d, eta);
    }
    R rule;
  };
  typename R::Settings settings_;
};

// What the table of rules knows of each: for `rule` parameters, `vibench
// list`, and the optimizers made of one rule.
struct RuleInfo {
  std::string name;
  std::string description;
  double default_step_size;
  std::string step_size_source;
  ParamSpecs settings;
  std::shared_ptr<const UpdateRule> (*make)(const Params& settings);
};

template <class R>
RuleInfo rule_info() {
  return {
      R::kName,
      R::kDescription,
      R::kDefaultStepSize,
      R::kStepSizeSource,
      specs_of<typename R::Settings>(),
      [](const Params& settings) {
        return std::shared_ptr<const UpdateRule>(std::make_shared<RuleOf<R>>(
            read_struct<typename R::Settings>(settings)));
      }};
}

// Every rule, in the order of rules.cpp's table.
const std::vector<RuleInfo>& all_rules();
const RuleInfo& find_rule(const std::string& name);  // logic_error if absent
// The rules as a component family, for a `rule` parameter.
const ComponentFamily& rule_family();

// Checks that a rule's state has the shape of the direction it is given
// (the shape of x never changes within a run).
inline void check_same_shape(const Matrix& state, const Matrix& d,
                             const char* rule) {
  if (state.rows() != d.rows() || state.cols() != d.cols())
    throw std::logic_error(std::string(rule) +
                           ": the direction changed shape within a run");
}

}  // namespace vibench
