#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

namespace ticketwatch::bench {

// One table for people: a row per size and step, from the JSON the benchmark writes.
void print_table(std::ostream& out, const nlohmann::json& report);

}  // namespace ticketwatch::bench
