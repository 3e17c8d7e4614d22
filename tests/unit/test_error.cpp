// SPDX-License-Identifier: MIT
// Tests for errc, its std::error_category and the error classification.
#include <profile/auth/error.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <system_error>

namespace pa = profile::auth;

TEST_CASE("errc converts to std::error_code in the profile.auth category") {
  std::error_code ec = pa::errc::invalid_grant;
  CHECK(ec.category().name() == std::string("profile.auth"));
  CHECK(ec.message() == "invalid_grant");
  CHECK(ec == pa::errc::invalid_grant);
  CHECK(ec != pa::errc::invalid_client);
  CHECK(static_cast<bool>(ec));
  pa::error e(pa::errc::transport_failed, "connect refused");
  CHECK(e.error_code() == pa::errc::transport_failed);
}

TEST_CASE("every errc has a distinct, stable name") {
  // Every value from invalid_argument up to the last enumerator (token_rejected at least; the
  // loop finds the end itself, so a newly appended errc is covered without editing this test),
  // and nothing named beyond it up to the classification table's size.
  std::set<std::string> names;
  int last = 0;
  for (int i = static_cast<int>(pa::errc::invalid_argument);
       i < static_cast<int>(pa::detail::errc_class_table_size); ++i) {
    const auto name = std::string(pa::to_string(static_cast<pa::errc>(i)));
    if (name == "unknown") break;
    CHECK(names.insert(name).second);
    last = i;
  }
  CHECK(last >= static_cast<int>(pa::errc::token_rejected));
  CHECK(names.count("token_rejected") == 1);
  CHECK(names.size() == static_cast<std::size_t>(last));  // values 1..last, no gap
  for (int i = last + 1; i < static_cast<int>(pa::detail::errc_class_table_size); ++i)
    CHECK(pa::to_string(static_cast<pa::errc>(i)) == "unknown");
  CHECK(pa::to_string(static_cast<pa::errc>(9999)) == "unknown");
}

TEST_CASE("OAuth error codes map to their errc") {
  CHECK(pa::errc_from_oauth_error("invalid_client") == pa::errc::invalid_client);
  CHECK(pa::errc_from_oauth_error("invalid_grant") == pa::errc::invalid_grant);
  CHECK(pa::errc_from_oauth_error("invalid_target") == pa::errc::invalid_target);
  CHECK(pa::errc_from_oauth_error("slow_down") == pa::errc::slow_down);
  CHECK(pa::errc_from_oauth_error("authorization_pending") == pa::errc::authorization_pending);
  CHECK(pa::errc_from_oauth_error("invalid_redirect_uri") == pa::errc::invalid_redirect_uri);
  CHECK(pa::errc_from_oauth_error("invalid_client_metadata") == pa::errc::invalid_client_metadata);
  CHECK(pa::errc_from_oauth_error("Invalid_Grant") == pa::errc::oauth_error);  // case matters
  CHECK(pa::errc_from_oauth_error("something_new") == pa::errc::oauth_error);
  CHECK(pa::errc_from_oauth_error("") == pa::errc::oauth_error);
}

TEST_CASE("classification tells callers what to do") {
  using pa::error_class;
  CHECK(pa::classify(pa::errc::transport_failed) == error_class::retryable);
  CHECK(pa::classify(pa::errc::http_error, 502) == error_class::retryable);
  CHECK(pa::classify(pa::errc::http_error, 403) == error_class::retryable);  // WAF: infrastructure
  CHECK(pa::classify(pa::errc::temporarily_unavailable) == error_class::retryable);
  CHECK(pa::classify(pa::errc::invalid_client) == error_class::credentials);
  CHECK(pa::classify(pa::errc::unauthorized_client) == error_class::credentials);
  CHECK(pa::classify(pa::errc::invalid_grant) == error_class::reauthenticate);
  CHECK(pa::classify(pa::errc::invalid_request) == error_class::misconfiguration);
  CHECK(pa::classify(pa::errc::unsupported_grant_type) == error_class::misconfiguration);
  CHECK(pa::classify(pa::errc::invalid_scope) == error_class::misconfiguration);
  CHECK(pa::classify(pa::errc::insecure_endpoint) == error_class::misconfiguration);
  CHECK(pa::classify(pa::errc::access_denied) == error_class::user_action);
  CHECK(pa::classify(pa::errc::invalid_redirect_uri, 400) == error_class::misconfiguration);
  CHECK(pa::classify(pa::errc::invalid_client_metadata, 400) == error_class::misconfiguration);
  CHECK(pa::classify(pa::errc::malformed_response, 200) == error_class::protocol);
  CHECK(pa::classify(pa::errc::malformed_response, 503) == error_class::retryable);
  CHECK(pa::classify(pa::errc::store_corrupt) == error_class::local);
  CHECK(pa::classify(pa::errc::invalid_argument) == error_class::misconfiguration);
  CHECK(pa::classify(pa::errc::http_error, 302) == error_class::misconfiguration);
  CHECK(pa::classify(pa::errc::http_error, 404) == error_class::misconfiguration);
  CHECK(pa::classify(pa::errc::http_error, 400) == error_class::retryable);  // a proxy's 400
  CHECK(pa::classify(pa::errc::limit_exceeded, 200) == error_class::protocol);

  pa::error e(pa::errc::invalid_grant, "x");
  CHECK_FALSE(pa::is_retryable(e));
  e.code = pa::errc::http_error;
  e.http_status = 429;
  CHECK(pa::is_retryable(e));
}
