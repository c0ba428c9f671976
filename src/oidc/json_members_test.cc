#include "oidc/json_members.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gh::oidc {
namespace {

const nlohmann::json kObject = {{"s", "text"}, {"n", 1'700'000'000}, {"f", 1.5}, {"b", true}};

TEST(JsonMembers, AStringOnlyWhenTheMemberIsOne) {
  EXPECT_EQ(StringMember(kObject, "s"), "text");
  EXPECT_FALSE(StringMember(kObject, "n"));
  EXPECT_FALSE(StringMember(kObject, "missing"));
}

TEST(JsonMembers, ATimeOnlyFromWholeSeconds) {
  EXPECT_EQ(TimeMember(kObject, "n"), FromUnixSeconds(1'700'000'000));
  EXPECT_FALSE(TimeMember(kObject, "f"));
  EXPECT_FALSE(TimeMember(kObject, "s"));
  EXPECT_FALSE(TimeMember(kObject, "b"));
  EXPECT_FALSE(TimeMember(kObject, "missing"));
}

}  // namespace
}  // namespace gh::oidc
