// libFuzzer harness for the config loader: any bytes as a config file's text. The loader must
// answer with a Config or with errors (each with a printable position and message), never crash,
// hang, read out of bounds or throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ticketwatch/config/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = ticketwatch::config::load_string(text, "fuzz.toml");
  // Rendering every finding walks each string the loader built from the input.
  std::size_t rendered = 0;
  if (!result.ok()) {
    for (const auto& error : result.errors()) rendered += error.to_string().size();
  }
  for (const auto& warning : result.warnings()) rendered += warning.to_string().size();
  // A failed load says why; libFuzzer reports the abort as a crash with this input.
  if (!result.ok() && (result.errors().empty() || rendered == 0)) __builtin_trap();
  return 0;
}
