#pragma once

// Private to the jobs part: lets std::visit take one lambda per alternative.

namespace ticketwatch::jobs::detail {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// C++20 deduces this from the aggregate; clang 14 does not implement that deduction yet (P1816)
// and needs the guide (the fuzz build uses clang).
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace ticketwatch::jobs::detail
