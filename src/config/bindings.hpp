#pragma once

#include <array>
#include <string_view>

#include "field.hpp"
#include "schema_table.hpp"

namespace ticketwatch::config::detail {

// How the value of one schema key is read into the Config.
struct Binding {
  std::string_view key;
  void (*apply)(Field&, Config&);
};

// One entry per schema key, in the same order (checked at compile time in bindings.cpp).
const std::array<Binding, kKeySchema.size()>& key_bindings();

}  // namespace ticketwatch::config::detail
