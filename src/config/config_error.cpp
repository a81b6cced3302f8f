#include <fmt/format.h>

#include "ticketwatch/config/loader.hpp"

namespace ticketwatch::config {

std::string ConfigError::to_string() const {
  std::string text = file;
  if (line > 0) text += fmt::format(":{}:{}", line, column);
  text += ": ";
  if (!key.empty()) text += key + ": ";
  return text + message;
}

}  // namespace ticketwatch::config
