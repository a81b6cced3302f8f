#include "ticketwatch/jobs/rule_model.hpp"

#include <gtest/gtest.h>

namespace ticketwatch::jobs {
namespace {

TEST(RuleModel, SpellsConditionTypesAsTheDatabaseDoes) {
  for (auto type :
       {ConditionType::sla_breach, ConditionType::time_in_status, ConditionType::priority_level,
        ConditionType::no_response, ConditionType::customer_rating}) {
    EXPECT_EQ(condition_type_from_string(to_string(type)), type) << to_string(type);
  }
  EXPECT_EQ(to_string(ConditionType::no_response), "no_response");
  EXPECT_FALSE(condition_type_from_string("SLA_BREACH"));
}

TEST(RuleModel, KnowsEachConditionsType) {
  EXPECT_EQ(condition_type(Condition{CustomerRatingCondition{2}}), ConditionType::customer_rating);
  EXPECT_EQ(condition_type(Condition{TimeInStatusCondition{"open", std::chrono::minutes(1)}}),
            ConditionType::time_in_status);
}

TEST(RuleModel, NamesActionsAsTheRuleJsonDoes) {
  EXPECT_EQ(action_type_name(Action{ReassignAction{}}), "reassign");
  EXPECT_EQ(action_type_name(Action{SetStatusAction{"x"}}), "set_status");
  EXPECT_EQ(action_type_name(Action{IncreasePriorityAction{1}}), "increase_priority");
}

}  // namespace
}  // namespace ticketwatch::jobs
