#include "core/words.h"

#include <gtest/gtest.h>

namespace gh {
namespace {

TEST(Words, JoinAndSplitRoundTrip) {
  const std::vector<std::string> words{"authorization_code", "refresh_token"};
  EXPECT_EQ(JoinWords(words), "authorization_code refresh_token");
  EXPECT_EQ(SplitWords(JoinWords(words)), words);
  EXPECT_EQ(JoinWords({}), "");
  EXPECT_TRUE(SplitWords("").empty());
}

TEST(Words, SplitDropsEmptyWords) {
  EXPECT_EQ(SplitWords(" pwd  mfa "), (std::vector<std::string>{"pwd", "mfa"}));
}

}  // namespace
}  // namespace gh
