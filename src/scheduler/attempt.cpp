#include "attempt.hpp"

#include <exception>

namespace ticketwatch::scheduler {

namespace {

AttemptOutcome classify(AttemptOutcome::Kind kind, std::string error) {
  AttemptOutcome outcome;
  outcome.kind = kind;
  outcome.error = std::move(error);
  return outcome;
}

AttemptOutcome run_unguarded(const JobBody& body, const AttemptContext& context) {
  try {
    nlohmann::json summary = body(context);
    if (!summary.is_object()) {
      return classify(AttemptOutcome::Kind::failed, std::string("the job returned a JSON ") +
                                                        summary.type_name() +
                                                        " instead of a JSON object");
    }
    AttemptOutcome outcome;
    outcome.kind = AttemptOutcome::Kind::succeeded;
    outcome.summary = std::move(summary);
    return outcome;
  } catch (const RunSkipped& skipped) {
    return classify(AttemptOutcome::Kind::skipped, skipped.what());
  } catch (const PermanentFailure& failure) {
    return classify(AttemptOutcome::Kind::permanent_failure, failure.what());
  } catch (const std::exception& error) {
    return classify(AttemptOutcome::Kind::failed, error.what());
  } catch (...) {
    return classify(AttemptOutcome::Kind::failed, "the job threw an exception of unknown type");
  }
}

}  // namespace

AttemptOutcome run_attempt(const JobBody& body, const AttemptContext& context) noexcept {
  try {
    return run_unguarded(body, context);
  } catch (...) {
    // Only reachable when building the outcome itself failed; the short text fits the small-
    // string buffer, so reporting it allocates nothing.
    AttemptOutcome outcome;
    outcome.error = "out of memory";
    return outcome;
  }
}

}  // namespace ticketwatch::scheduler
