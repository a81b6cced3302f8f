#include "journal_sink.hpp"

#include <fmt/format.h>

namespace ticketwatch::daemon {

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  std::string logger(msg.logger_name.data(), msg.logger_name.size());
  std::string text(msg.payload.data(), msg.payload.size());
  std::vector<std::string> fields;
  fields.reserve(4);
  const bool is_job = job_names_.contains(logger);
  // The job's name also goes into the text so it reads well without field filters (unless the
  // line already starts with it, as the scheduler's lines do).
  const bool has_prefix = is_job && text.rfind(logger + ":", 0) == 0;
  fields.push_back(is_job && !has_prefix ? fmt::format("MESSAGE={}: {}", logger, text)
                                         : fmt::format("MESSAGE={}", text));
  fields.push_back(fmt::format("PRIORITY={}", journal_priority(msg.level)));
  static const std::string kIdentifier = "SYSLOG_IDENTIFIER=ticketwatchd";
  fields.push_back(kIdentifier);
  if (is_job) fields.push_back(fmt::format("JOB={}", logger));
  writer_(fields);
}

}  // namespace ticketwatch::daemon
