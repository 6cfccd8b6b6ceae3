// The client's pure pieces: error wording, Retry-After, URL settings, key redaction, MIME types.
#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client/credentials.h"
#include "client/errors.h"
#include "client/fal_urls.h"
#include "client/http.h"
#include "client/storage.h"
#include "common/error.h"

namespace omnicut::client {
namespace {

TEST(ClientErrors, ValidationDetailBecomesFieldColonMessage) {
  std::string body = R"({"detail":[{"loc":["body","video_url"],"msg":"could not fetch the file","type":"file_download_error"},
                                    {"loc":["body","prompt"],"msg":"Field required","type":"missing"}]})";
  EXPECT_EQ(describe_error_body(body), "video_url: could not fetch the file; prompt: Field required");
  EXPECT_EQ(describe_error_body(R"({"detail":"Request was cancelled"})"), "Request was cancelled");
  EXPECT_EQ(describe_error_body(R"({"error":"Error","message":"Path /quality not found"})"), "Error");
  EXPECT_EQ(describe_error_body("<html><body>502 Bad Gateway</body></html>"), "");
  EXPECT_EQ(describe_error_body("upstream reset\nmore"), "upstream reset");
}

TEST(ClientErrors, StatusCodesMapToKinds) {
  Http http(Credentials("k-123456"), {});
  auto kind = [&](long status, const std::string& body = "{}") {
    Response r;
    r.status = status;
    r.body = body;
    return http_error(http, "subject", r).kind();
  };
  EXPECT_EQ(kind(401), ErrorKind::auth);
  EXPECT_EQ(kind(403), ErrorKind::auth);
  EXPECT_EQ(kind(404), ErrorKind::usage);
  EXPECT_EQ(kind(422), ErrorKind::remote);
  EXPECT_EQ(kind(429), ErrorKind::network);
  EXPECT_EQ(kind(503), ErrorKind::network);
  Response r{422, R"({"detail":[{"loc":["body","video_url"],"msg":"bad k-123456"}]})", {}};
  EXPECT_STREQ(http_error(http, "x.mp4", r).what(), "x.mp4: video_url: bad ***");
}

TEST(ClientErrors, ServerTextThatIsNotUtf8IsShownWithReplacementCharacters) {
  // A body cut mid-character, or hostile bytes: the message still goes into a ledger and a JSON line.
  Http http(Credentials("k-123456"), {});
  Response r{500, "upstream \xf1\x80 broke k-123456 \xe2\x82", {}};
  std::string what = http_error(http, "x.mp4", r).what();
  EXPECT_NE(what.find("upstream \xEF\xBF\xBD"), std::string::npos) << what;
  EXPECT_EQ(what.find("k-123456"), std::string::npos);
  EXPECT_NO_THROW(nlohmann::json(what).dump());
}

TEST(ClientErrors, AnAnswerFalSendsBeforeQueueingWasNotDelivered) {
  Http http(Credentials("k-123456"), {});
  auto delivered = [&](long status) {
    Response r{status, R"({"detail":"x"})", {}};
    return maybe_delivered(http_error(http, "subject", r));
  };
  for (long refused : {400L, 401L, 403L, 404L, 422L, 429L, 503L}) EXPECT_FALSE(delivered(refused)) << refused;
  for (long gateway : {500L, 502L, 504L}) EXPECT_TRUE(delivered(gateway)) << gateway;
  // Every status the submit policy repeats is one fal sends before queueing.
  for (int status : policy::submit().retry_statuses) EXPECT_TRUE(refused_before_queueing(status)) << status;
  // Without an HTTP cause nobody knows (a 2xx answer that could not be read, say).
  EXPECT_TRUE(maybe_delivered(Error(ErrorKind::network, "x", "fal's answer is not a JSON object")));
  EXPECT_FALSE(maybe_delivered(TransportError(ErrorKind::network, "x", "refused", curl_error(7), false)));
}

TEST(ClientHttp, RetryAfterSecondsAndDates) {
  EXPECT_EQ(parse_retry_after("1"), 1.0);
  EXPECT_EQ(parse_retry_after(" 30 "), 30.0);
  EXPECT_EQ(parse_retry_after("99999999999"), 600.0);
  EXPECT_FALSE(parse_retry_after(""));
  EXPECT_FALSE(parse_retry_after("soon"));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), 0.0);  // in the past
}

TEST(ClientHttp, SubmitPolicyNeverRepeatsWhatMayHaveBeenAccepted) {
  auto p = policy::submit();
  EXPECT_FALSE(p.retry_maybe_delivered);
  EXPECT_EQ(p.retry_statuses, (std::vector<int>{429, 503}));
  auto s = policy::status();
  EXPECT_NE(std::find(s.retry_statuses.begin(), s.retry_statuses.end(), 500), s.retry_statuses.end());
}

TEST(ClientUrls, OneSettingPointsEveryHostAtOneOrigin) {
  auto u = FalUrls::at_origin("http://127.0.0.1:8080/");
  EXPECT_EQ(u.queue, "http://127.0.0.1:8080");
  EXPECT_EQ(u.rest, "http://127.0.0.1:8080");
  EXPECT_EQ(u.run, "http://127.0.0.1:8080");
  EXPECT_THROW(FalUrls::at_origin("ftp://x"), Error);
  EXPECT_THROW(FalUrls::at_origin("127.0.0.1:8080"), Error);
  ::unsetenv("OMNICUT_FAL_URL");
  EXPECT_EQ(FalUrls::from_setting("").queue, "https://queue.fal.run");
  EXPECT_EQ(FalUrls::from_setting("").rest, "https://rest.fal.ai");
  ::setenv("OMNICUT_FAL_URL", "http://localhost:9", 1);
  EXPECT_EQ(FalUrls::from_setting("").queue, "http://localhost:9");
  EXPECT_EQ(FalUrls::from_setting("https://a.example").queue, "https://a.example");  // the flag wins
  ::unsetenv("OMNICUT_FAL_URL");
  EXPECT_EQ(url_origin("HTTPS://Queue.Fal.Run/x/y?z"), "https://queue.fal.run");
  EXPECT_EQ(url_origin("http://user@evil/x"), "");
}

TEST(ClientCredentials, EnvOrderAndRedaction) {
  ::setenv("FAL_KEY", "", 1);
  ::setenv("FAL_KEY_ID", "the-id-1234", 1);
  ::setenv("FAL_KEY_SECRET", "the-secret-5678", 1);
  auto c = Credentials::from_env();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->authorization(), "Key the-id-1234:the-secret-5678");
  EXPECT_EQ(c->redact("a the-id-1234:the-secret-5678 b the-secret-5678 c"), "a *** b *** c");
  ::setenv("FAL_KEY", "direct-key-99", 1);
  EXPECT_EQ(Credentials::from_env()->authorization(), "Key direct-key-99");
  ::unsetenv("FAL_KEY");
  ::unsetenv("FAL_KEY_ID");
  ::unsetenv("FAL_KEY_SECRET");
  EXPECT_FALSE(Credentials::from_env());
  try {
    Credentials::require_from_env();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::auth);
  }
}

TEST(ClientStorage, ContentTypeFromExtension) {
  EXPECT_EQ(content_type_for("a.MP4"), "video/mp4");
  EXPECT_EQ(content_type_for("a.mov"), "video/quicktime");
  EXPECT_EQ(content_type_for("a.webm"), "video/webm");
  EXPECT_EQ(content_type_for("a.mkv"), "video/x-matroska");
  EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
}

}  // namespace
}  // namespace omnicut::client
