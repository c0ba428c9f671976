// ProviderFixture: a complete OpenID Provider over a fresh SQLite store, a fake clock and real
// signing keys, with its routes on router_ and the user alice registered — for endpoint tests
// that drive the provider through Router::Dispatch.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "http/router.h"
#include "keys/key_ring.h"
#include "oidc/oidc_participants.h"
#include "oidc/provider.h"
#include "session/event_log.h"
#include "session/session_authority.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gh::oidc {

inline constexpr char kTestIssuer[] = "https://id.example";
inline constexpr char kTestCsrfSecret[] = "csrf secret of the provider tests, 32+ bytes";
inline constexpr char kTestSealingKey[] = "the sealing key, 32 bytes long..";

class ProviderFixture : public ::testing::Test {
 protected:
  ProviderFixture()
      : store_(*store::OpenSqliteStore(dir_.File("db.sqlite"))),
        keys_(*store_, clock_, Seconds(24 * 3600)),
        events_(clock_),
        sessions_(*store_, clock_, random_, events_, session::SessionPolicy{}),
        csrf_(random_, kTestCsrfSecret, /*secure=*/false),
        sign_out_(kTestIssuer, *store_, sessions_, clock_, random_, csrf_),
        provider_(ProviderSettings{.issuer = kTestIssuer, .sealing_key = kTestSealingKey}, *store_,
                  keys_, sessions_, clock_, random_, csrf_, sign_out_) {
    sessions_.AddProtocol(oidc_participants_);
  }

  void SetUp() override {
    ASSERT_TRUE(keys_.Reload().ok());
    provider_.Register(router_);
    sign_out_.Register(router_);
    store::UserRecord alice;
    alice.id = "u-alice";
    alice.username = "alice";
    alice.password_hash = "unused";
    alice.name = "Alice Liddell";
    alice.email = "alice@example.com";
    alice.created_at = clock_.Now();
    ASSERT_TRUE(store_->PutUser(alice).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  SystemRandom random_;
  keys::KeyRing keys_;
  session::EventLog events_;
  session::SessionAuthority sessions_;
  OidcParticipants oidc_participants_{kTestIssuer};
  web::Csrf csrf_;
  signout::SignOutFlow sign_out_;
  Provider provider_;
  http::Router router_;
  std::string cookie_;
  std::string sid_;
};

}  // namespace gh::oidc
