#include "federation/account_linker.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gh::federation {
namespace {

using nlohmann::json;
using LinkBy = UpstreamSettings::LinkBy;

class AccountLinkerTest : public ::testing::Test {
 protected:
  AccountLinkerTest() : store_(*store::OpenSqliteStore(dir_.File("db.sqlite"))) {}

  void SetUp() override {
    ASSERT_TRUE(
        store_->PutUser({"u-alice", "alice", "hash", "Alice", "alice@example.com", clock_.Now()})
            .ok());
    upstream_.id = "corp";
    upstream_.display_name = "Corporate";
  }

  Result<store::UserRecord> Link(const std::string& subject, const json& claims) {
    return linker_.Link(upstream_, subject, claims);
  }

  gh::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  SystemRandom random_;
  AccountLinker linker_{*store_, clock_, random_};
  UpstreamSettings upstream_;
};

TEST_F(AccountLinkerTest, LinksByVerifiedEmailOnlyAndRemembersTheLink) {
  upstream_.link_by = LinkBy::kEmail;
  json unverified = {{"email", "alice@example.com"}, {"email_verified", false}};
  EXPECT_EQ(Link("s-1", unverified).error().code, ErrorCode::kPermissionDenied);
  json verified = {{"email", "alice@example.com"}, {"email_verified", true}};
  ASSERT_EQ(Link("s-1", verified)->id, "u-alice");
  // Linked: the upstream's later change of address does not unlink the person.
  EXPECT_EQ(Link("s-1", json{{"email", "new@example.com"}})->id, "u-alice");
}

TEST_F(AccountLinkerTest, AnAddressSharedByTwoAccountsLinksNeither) {
  upstream_.link_by = LinkBy::kEmail;
  ASSERT_TRUE(
      store_->PutUser({"u-twin", "twin", "hash", "Twin", "alice@example.com", clock_.Now()}).ok());
  EXPECT_FALSE(Link("s-1", {{"email", "alice@example.com"}, {"email_verified", true}}).ok());
}

TEST_F(AccountLinkerTest, LinksByUsernameWhenConfigured) {
  upstream_.link_by = LinkBy::kUsername;
  EXPECT_EQ(Link("s-1", {{"preferred_username", "alice"}})->id, "u-alice");
}

TEST_F(AccountLinkerTest, WithoutMatchingEvenAnExactEmailIsNotLinked) {
  EXPECT_FALSE(Link("s-1", {{"email", "alice@example.com"}, {"email_verified", true}}).ok());
}

TEST_F(AccountLinkerTest, ProvisionsAPasswordlessUserFromTheClaims) {
  upstream_.unknown_users = UnknownUsers::kProvision;
  auto carol = Link(
      "s-9", {{"preferred_username", "carol"}, {"name", "Carol"}, {"email", "carol@example.com"}});
  ASSERT_TRUE(carol.ok());
  EXPECT_EQ(carol->username, "carol");
  EXPECT_EQ(carol->email, "carol@example.com");
  EXPECT_TRUE(carol->password_hash.empty());
  EXPECT_EQ(Link("s-9", json::object())->id, carol->id);
  // A username already taken locally is not theirs: the provisioned user gets another.
  auto impostor = Link("s-10", {{"preferred_username", "alice"}});
  ASSERT_TRUE(impostor.ok());
  EXPECT_NE(impostor->id, "u-alice");
  EXPECT_EQ(impostor->username, "corp/s-10");
}

}  // namespace
}  // namespace gh::federation
