#include "oidc/backchannel_sender.h"

#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/params.h"
#include "crypto/jws.h"
#include "oidc/logout_token.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gh::oidc {
namespace {

using Kind = session::DeliveryOutcome::Kind;
using std::chrono::milliseconds;

constexpr char kIssuer[] = "https://id.example";
constexpr char kAppUri[] = "https://app.example/backchannel?tenant=1";

http::OutboundResponse Status(int status, std::string body = "") {
  http::OutboundResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// Records each request and holds its callback until the test answers, as a network would.
class FakeHttpClient final : public http::HttpClient {
 public:
  void Send(http::OutboundRequest request, Callback done) override {
    requests.push_back(std::move(request));
    pending_.push_back(std::move(done));
  }
  void Answer(Result<http::OutboundResponse> response) {
    ASSERT_FALSE(pending_.empty());
    auto done = std::move(pending_.front());
    pending_.pop_front();
    done(std::move(response));
  }
  void AnswerStatus(int status, std::string body = "") { Answer(Status(status, std::move(body))); }

  std::vector<http::OutboundRequest> requests;

 private:
  std::deque<Callback> pending_;
};

class BackchannelSenderTest : public ::testing::Test {
 protected:
  BackchannelSenderTest()
      : store_(*store::OpenSqliteStore(dir_.File("db.sqlite"))),
        keys_(*store_, clock_, Seconds(24 * 3600)),
        sender_(*store_, keys_, clock_, random_, http_,
                {.issuer = kIssuer,
                 .connect_timeout = milliseconds(700),
                 .total_timeout = milliseconds(1500)}) {}

  void SetUp() override {
    ASSERT_TRUE(keys_.Reload().ok());
    AddClient("app", kAppUri, "RS256");
    AddClient("spa", "https://spa.example/bcl", "ES256");
    AddClient("web", std::nullopt, "RS256");
  }

  void AddClient(const std::string& id, std::optional<std::string> uri, const std::string& alg) {
    store::ClientRecord c;
    c.id = id;
    c.name = id;
    c.redirect_uris = {"https://" + id + ".example/cb"};
    c.backchannel_logout_uri = std::move(uri);
    c.id_token_signed_response_alg = alg;
    c.created_at = clock_.Now();
    ASSERT_TRUE(store_->PutClient(c).ok());
  }

  static store::LogoutNotificationRecord Notification(const std::string& client_id) {
    store::LogoutNotificationRecord n;
    n.id = 7;
    n.sid = "sid-1";
    n.user_id = "u-alice";
    n.client_id = client_id;
    return n;
  }

  // Sends `client_id`'s notification; the outcome lands in `outcome` once known.
  void Send(const std::string& client_id) {
    outcome_.reset();
    sender_.Send(Notification(client_id), [this](session::DeliveryOutcome o) { outcome_ = o; });
  }

  // The logout token of request `i`, verified against the published keys.
  crypto::DecodedJws Token(std::size_t i) {
    auto form = Params::Parse(http_.requests.at(i).body);
    EXPECT_TRUE(form.ok());
    auto jws = crypto::DecodeJws(form->Get("logout_token").value_or(""));
    EXPECT_TRUE(jws.ok()) << jws.error().message;
    auto verified = crypto::VerifyJws(*jws, keys_.VerificationKeys());
    EXPECT_TRUE(verified.ok()) << verified.error().message;
    return *jws;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  SystemRandom random_;
  std::unique_ptr<store::Store> store_;
  keys::KeyRing keys_;
  FakeHttpClient http_;
  BackchannelSender sender_;
  std::optional<session::DeliveryOutcome> outcome_;
};

TEST_F(BackchannelSenderTest, PostsTheLogoutTokenAsAFormToTheRegisteredUri) {
  Send("app");
  ASSERT_EQ(http_.requests.size(), 1u);
  const auto& request = http_.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, kAppUri);  // §2.2: the query is kept
  EXPECT_EQ(request.headers.Get("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(request.connect_timeout, milliseconds(700));
  EXPECT_EQ(request.total_timeout, milliseconds(1500));
  auto form = Params::Parse(request.body);
  ASSERT_TRUE(form.ok());
  ASSERT_EQ(form->items().size(), 1u);
  EXPECT_EQ(form->items()[0].first, "logout_token");

  auto token = Token(0);
  EXPECT_EQ(token.header["typ"], "logout+jwt");
  EXPECT_EQ(token.header["alg"], "RS256");
  EXPECT_EQ(token.payload["iss"], kIssuer);
  EXPECT_EQ(token.payload["aud"], "app");
  EXPECT_EQ(token.payload["sub"], "u-alice");
  EXPECT_EQ(token.payload["sid"], "sid-1");
  EXPECT_EQ(token.payload["iat"], ToUnixSeconds(clock_.Now()));
  EXPECT_TRUE(token.payload["events"].contains(kBackchannelLogoutEvent));
}

TEST_F(BackchannelSenderTest, WaitsForTheReceiverWithoutBlocking) {
  Send("app");
  EXPECT_FALSE(outcome_.has_value()) << "Send returned before the receiver answered";
  http_.AnswerStatus(200);
  ASSERT_TRUE(outcome_.has_value());
  EXPECT_EQ(outcome_->kind, Kind::kDelivered);
}

TEST_F(BackchannelSenderTest, SignsWithTheClientsIdTokenAlgorithm) {
  Send("spa");
  ASSERT_EQ(http_.requests.size(), 1u);
  EXPECT_EQ(Token(0).header["alg"], "ES256");
}

TEST_F(BackchannelSenderTest, EveryAttemptCarriesAFreshToken) {
  Send("app");
  http_.AnswerStatus(503);
  EXPECT_EQ(outcome_->kind, Kind::kRetry);
  clock_.Advance(std::chrono::hours(1));
  Send("app");
  ASSERT_EQ(http_.requests.size(), 2u);
  auto first = Token(0).payload;
  auto retry = Token(1).payload;
  EXPECT_NE(first["jti"], retry["jti"]);
  EXPECT_EQ(retry["iat"], ToUnixSeconds(clock_.Now()));
  EXPECT_GT(retry["exp"].get<std::int64_t>(), ToUnixSeconds(clock_.Now()));
}

TEST_F(BackchannelSenderTest, ARejectionIsPermanentAndKeepsTheReceiversReason) {
  Send("app");
  http_.AnswerStatus(400, R"({"error":"invalid_request","error_description":"bad aud"})");
  ASSERT_TRUE(outcome_.has_value());
  EXPECT_EQ(outcome_->kind, Kind::kPermanent);
  EXPECT_EQ(outcome_->detail,
            R"(HTTP 400: {"error":"invalid_request","error_description":"bad aud"})");
}

TEST_F(BackchannelSenderTest, ARemovedClientIsPermanentWithoutARequest) {
  Send("gone");
  ASSERT_TRUE(outcome_.has_value());
  EXPECT_EQ(outcome_->kind, Kind::kPermanent);
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(BackchannelSenderTest, AClientWithoutBackchannelUriIsPermanentWithoutARequest) {
  Send("web");
  ASSERT_TRUE(outcome_.has_value());
  EXPECT_EQ(outcome_->kind, Kind::kPermanent);
  EXPECT_TRUE(http_.requests.empty());
}

TEST(ClassifyDelivery, AnySuccessStatusIsDelivered) {
  // §2.8: 200 OK, and 204 because some frameworks substitute it.
  for (int status : {200, 202, 204}) {
    EXPECT_EQ(ClassifyDelivery(Status(status)).kind, Kind::kDelivered) << status;
  }
}

TEST(ClassifyDelivery, RecoverableFailuresAreRetried) {
  for (int status : {408, 425, 429, 500, 502, 503, 504}) {
    auto outcome = ClassifyDelivery(Status(status));
    EXPECT_EQ(outcome.kind, Kind::kRetry) << status;
    EXPECT_EQ(outcome.detail, "HTTP " + std::to_string(status));
  }
}

TEST(ClassifyDelivery, NetworkErrorsAndTimeoutsAreRetried) {
  auto refused = ClassifyDelivery(Error::Unavailable("connect: Connection refused"));
  EXPECT_EQ(refused.kind, Kind::kRetry);
  EXPECT_EQ(refused.detail, "connect: Connection refused");
  EXPECT_EQ(ClassifyDelivery(Error::Unavailable("timeout")).kind, Kind::kRetry);
}

TEST(ClassifyDelivery, OtherClientErrorsArePermanent) {
  for (int status : {400, 401, 403, 404, 405, 410, 413}) {
    EXPECT_EQ(ClassifyDelivery(Status(status)).kind, Kind::kPermanent) << status;
  }
}

TEST(ClassifyDelivery, KeepsAPrintableExcerptOfTheBody) {
  auto outcome = ClassifyDelivery(Status(400, "caf\xC3\xA9\n" + std::string(300, 'x')));
  EXPECT_EQ(outcome.detail, "HTTP 400: caf???" + std::string(194, 'x'));
}

}  // namespace
}  // namespace gh::oidc
