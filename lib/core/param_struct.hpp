// A plain parameter struct declared once (LBFGS++'s parameter struct, with
// its validation and its documentation in the same place):
//
//   struct AdamSettings {
//     double beta1 = 0.9;  // the default lives in the member initializer
//     static void declare(ParamFields<AdamSettings>& f) {
//       f.real("beta1", &AdamSettings::beta1, "β₁ (Kingma & Ba 2015: 0.9)")
//           .at_least(0).below(1);
//     }
//   };
//
// From that one declaration, specs_of<AdamSettings>() gives the ParamSpecs
// that validation and `vibench list` use, and read_struct<AdamSettings>()
// reads validated Params back into the struct, so a name, a default or a
// range is never written twice.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/params.hpp"

namespace vibench {

template <class S>
class ParamFields {
 public:
  // Range modifiers on the field just declared.
  class Range {
   public:
    explicit Range(ParamSpec& spec) : spec_(spec) {}
    Range& at_least(double v) { return set_min(v, false); }
    Range& above(double v) { return set_min(v, true); }
    Range& at_most(double v) { return set_max(v, false); }
    Range& below(double v) { return set_max(v, true); }

   private:
    Range& set_min(double v, bool exclusive) {
      spec_.min = v;
      spec_.min_exclusive = exclusive;
      return *this;
    }
    Range& set_max(double v, bool exclusive) {
      spec_.max = v;
      spec_.max_exclusive = exclusive;
      return *this;
    }
    ParamSpec& spec_;
  };

  Range real(const char* name, double S::*member, std::string description) {
    return add(ParamSpec::real(name, defaults_.*member, std::move(description)),
               [=](S& s, const Params& p) { s.*member = p.real(name); });
  }
  Range integer(const char* name, long long S::*member,
                std::string description) {
    return add(
        ParamSpec::integer(name, defaults_.*member, std::move(description)),
        [=](S& s, const Params& p) { s.*member = p.integer(name); });
  }
  void boolean(const char* name, bool S::*member, std::string description) {
    add(ParamSpec::boolean(name, defaults_.*member, std::move(description)),
        [=](S& s, const Params& p) { s.*member = p.boolean(name); });
  }
  void choice(const char* name, std::string S::*member,
              std::vector<std::string> choices, std::string description) {
    add(ParamSpec::string(name, defaults_.*member, std::move(choices),
                          std::move(description)),
        [=](S& s, const Params& p) { s.*member = p.string(name); });
  }

  const ParamSpecs& specs() const { return specs_; }
  S read(const Params& params) const {
    S s;
    for (const auto& reader : readers_) reader(s, params);
    return s;
  }

 private:
  Range add(ParamSpec spec, std::function<void(S&, const Params&)> reader) {
    specs_.push_back(std::move(spec));
    readers_.push_back(std::move(reader));
    return Range(specs_.back());
  }
  S defaults_{};
  ParamSpecs specs_;
  std::vector<std::function<void(S&, const Params&)>> readers_;
};

template <class S>
const ParamFields<S>& fields_of() {
  static const ParamFields<S> fields = [] {
    ParamFields<S> f;
    S::declare(f);
    return f;
  }();
  return fields;
}

template <class S>
ParamSpecs specs_of() {
  return fields_of<S>().specs();
}

template <class S>
S read_struct(const Params& params) {
  return fields_of<S>().read(params);
}

}  // namespace vibench
