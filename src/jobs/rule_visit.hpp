#pragma once

// Private to the jobs part: lets std::visit take one lambda per alternative.

namespace ticketwatch::jobs::detail {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace ticketwatch::jobs::detail
