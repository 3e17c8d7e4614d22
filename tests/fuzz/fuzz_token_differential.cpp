// SPDX-License-Identifier: MIT
// libFuzzer harness, differential: every reader of a JSON token answer against a reference
// model written here from the documented rules, on top of the general JSON reader.
//
// The readers under test, on one body:
//  - parse_token_response (status, Content-Type: application/json): the public entry point,
//    which takes the one-pass flat reader when it applies and the tape otherwise;
//  - detail::read_flat_json_token + complete_token: the one-pass reader alone (no fallback);
//  - detail::parse_json_token_general: the tape reader alone;
//  - detail::read_fixed_answer: fixed_m2m_client's heap-free reader (decodes in place in a copy).
// The reference: json::parse(body) into a value tree, then the members read one by one as
// token_response.hpp documents them (parse_token_response and token_parse_options), with an
// expires_in oracle of its own (JSON grammar by json::parse, value by value::get_double).
//
// What "agree" means, checked on every input:
//  A. parse_token_response, the tape reader and the flat reader (when it takes the answer) each
//     either give a token equal to the reference's in every field: access_token, token_type,
//     refresh_token, id_token, scope, expires_in, received_at, expires_at, and extra (the same
//     (name, raw JSON text) pairs in the same order); or fail with the reference's errc, the
//     answer's HTTP status, and for an answer that carries an OAuth `error` that error code.
//     parse_token_response and the tape reader also give equal error values (message included).
//  B. The flat reader takes the answer (built, or carries_error) exactly when the reference
//     finds a flat answer (a JSON object of at most 16 members, ASCII names without escapes,
//     scalar values) whose access_token, refresh_token, id_token and token_type have the types
//     parse_token_response accepts; when it takes it, it says carries_error exactly when the
//     reference found a non-empty `error`; when it builds a token, the members it read (before
//     the checks of complete_token) are the reference's, even if the token is then refused.
//  C. The fixed reader (default limits): on a flat answer, the reference's errc (errc{} for a
//     token), and for a token the same access_token bytes and expires_in reading (positive or
//     not, and the seconds); on any other 2xx body errc::malformed_response, as documented.
//     Non-2xx: the errc of the OAuth error code, else errc::http_error, on flat answers.
//
// Input layout: byte 0 picks the options: bits 0-1 the limits (default, short strings, few
// values and depth 1, 64-byte bodies), bit 2 strict_expires_in, bits 3-5 the status (200, 200,
// 200, 201, 400, 401, 503, 302), bit 6 small lifetimes (max 100 s, assumed 7 s), bit 7 settings
// out of range (assumed -5 s, max seconds::max(): the readers clamp them); the rest is the body.
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude
//     tests/fuzz/fuzz_token_differential.cpp -o fuzz_token_differential  (one command line)
//   ./fuzz_token_differential tests/fuzz/corpus/token_differential
#include <profile/auth/detail/fixed_token_reader.hpp>
#include <profile/auth/detail/json.hpp>
#include <profile/auth/oauth_error.hpp>
#include <profile/auth/token_response.hpp>

#include <chrono>       // lifetimes, received_at
#include <cmath>        // std::floor for the expires_in oracle
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t input
#include <optional>     // expires_in
#include <string>       // decoded members
#include <string_view>  // the input
#include <utility>      // std::pair
#include <vector>       // extra members, the fixed reader's copy of the body

namespace pa = profile::auth;
namespace json = profile::auth::detail::json;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

// ---- the expires_in oracle ----------------------------------------------------------------------

/// expires_in as the reference reads it: positive (at least one second, floored, saturated),
/// unusable (zero, below one second, negative, not a number) or absent (missing or null).
struct lifetime_ref {
  enum kind_t { absent, positive, unusable } kind = absent;
  std::uint64_t seconds = 0;
};

/// The decimal text of a JSON number (or of a numeric string: leading zeros allowed) as
/// lifetime_ref. `exact` is false when the oracle cannot tell (more than 15 significant
/// digits, where a double may round across an integer): the caller then takes the library's
/// reading, so those inputs are not judged on their seconds.
lifetime_ref number_oracle(std::string_view text, bool& exact) {
  lifetime_ref r;
  r.kind = lifetime_ref::unusable;
  exact = true;
  for (const char c : text)
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
      return r;  // json::parse would skip whitespace around a number: not allowed in a string
  // Leading zeros of the integer part go (a string "0300" is 300), then it must be JSON.
  std::string canonical;
  std::size_t i = 0;
  if (i < text.size() && text[i] == '-') canonical.push_back(text[i++]);
  while (i + 1 < text.size() && text[i] == '0' && text[i + 1] >= '0' && text[i + 1] <= '9') ++i;
  canonical.append(text.substr(i));
  const auto doc = json::parse(std::string_view(canonical), json::limits{});
  if (!doc || !doc->root().is_number()) return r;
  const std::string_view raw = doc->root().raw();
  // Significant digits (first to last non-zero digit of the mantissa).
  std::size_t first = std::string_view::npos, last = 0, pos = 0;
  for (const char c : raw) {
    if (c == 'e' || c == 'E') break;
    if (c >= '1' && c <= '9') {
      if (first == std::string_view::npos) first = pos;
      last = pos;
    }
    if (c >= '0' && c <= '9') ++pos;
  }
  if (first == std::string_view::npos) return r;  // zero, whatever the sign and exponent
  if (raw[0] == '-') return r;                    // negative
  const std::optional<double> d = doc->root().get_double();
  constexpr double saturation = static_cast<double>(pa::detail::lifetime_saturation);
  if (d && *d < 1.0) return r;  // below one second (a value of 1 or more never rounds below 1)
  r.kind = lifetime_ref::positive;
  if (!d || *d >= saturation) {  // beyond any double, or beyond the saturation
    r.seconds = pa::detail::lifetime_saturation;
    exact = !d || *d >= saturation + 2;
    return r;
  }
  exact = last - first < 15;
  r.seconds = static_cast<std::uint64_t>(std::floor(*d));
  return r;
}

/// number_oracle, or the library's reading when the oracle cannot tell.
lifetime_ref read_expires(std::string_view text) {
  bool exact = true;
  lifetime_ref r = number_oracle(text, exact);
  if (exact) return r;
  const pa::detail::lifetime_reading lib = pa::detail::read_lifetime(text);
  r.kind = lib.kind == pa::detail::lifetime_reading::positive ? lifetime_ref::positive
                                                              : lifetime_ref::unusable;
  r.seconds = lib.kind == pa::detail::lifetime_reading::positive ? lib.seconds : 0;
  return r;
}

// ---- the reference reading of a 2xx JSON answer -------------------------------------------------

struct reference {
  pa::errc code{};             ///< errc{}: a token
  bool carried_error = false;  ///< code comes from a non-empty `error` member
  std::string oauth_error;     ///< that member, when a valid OAuth error code
  // Flat: an object of at most 16 members, ASCII names without escapes, scalar values.
  bool flat = false;
  bool type_problem = false;  ///< a token member of a type parse_token_response refuses
  /// A refresh token with a control byte (it could never be sent back): malformed_response
  /// from complete_token, after the token_type check and before the lifetime's. Not part of
  /// `code`: the fixed reader (M2M) never reads refresh tokens.
  bool refresh_problem = false;
  // The token (when code is errc{}).
  std::string access_token, refresh_token, id_token, token_type = "Bearer", scope;
  lifetime_ref lifetime;
  std::vector<std::pair<std::string, std::string>> extra;
};

bool all_space(std::string_view s) {
  for (const char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

bool names_bearer(std::string_view s) {
  if (s.size() != 6) return false;
  for (std::size_t i = 0; i < 6; ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != "bearer"[i]) return false;
  }
  return true;
}

bool ascii_name(const json::value& k) {
  if (k.has_escapes()) return false;
  for (const char c : k.raw())
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

/// The errc of a non-empty `error` member: its OAuth code's, else malformed_response (2xx).
pa::errc carried_code(const json::value& e, std::string& code) {
  std::string s;
  if (e.copy_string_to(s) && pa::detail::is_oauth_error_code(s)) {
    code = s;
    return pa::errc_from_oauth_error(s);
  }
  return pa::errc::malformed_response;
}

reference read_reference(std::string_view body, const json::limits& lim) {
  reference ref;
  if (all_space(body)) {
    ref.code = pa::errc::malformed_response;  // an empty body
    return ref;
  }
  const auto doc = json::parse(body, lim);
  if (!doc) {
    ref.code = doc.error().code;
    return ref;
  }
  const json::value root = doc->root();
  if (!root.is_object()) {
    ref.code = pa::errc::malformed_response;
    return ref;
  }
  ref.flat = root.size() <= json::tape::pairwise_key_check;
  std::optional<json::value> error_member;
  bool has_type = false;
  std::string name;
  for (const json::member m : root.members()) {
    const json::value& v = m.value;
    (void)m.key.copy_string_to(name);
    if (!ascii_name(m.key) || v.is_array() || v.is_object()) ref.flat = false;
    const auto string_or_problem = [&](std::string& out, bool null_ok) {
      if (v.is_null() && null_ok) return;
      if (!v.copy_string_to(out)) ref.type_problem = true;
    };
    if (name == "access_token") {
      string_or_problem(ref.access_token, false);
    } else if (name == "refresh_token") {
      string_or_problem(ref.refresh_token, true);
    } else if (name == "id_token") {
      string_or_problem(ref.id_token, true);
    } else if (name == "token_type") {
      if (v.is_null()) continue;
      string_or_problem(ref.token_type, false);
      has_type = true;
    } else if (name == "expires_in") {
      if (v.is_null()) continue;
      std::string s;
      ref.lifetime.kind = lifetime_ref::unusable;  // bool, array, object
      if (v.is_number())
        ref.lifetime = read_expires(v.raw());
      else if (v.copy_string_to(s))
        ref.lifetime = read_expires(s);
    } else if (name == "scope" && v.is_null()) {
      continue;
    } else if (name == "scope" && v.is_string()) {
      (void)v.copy_string_to(ref.scope);
    } else if (name == "scope" && v.is_array()) {
      std::string joined, el_text;
      bool strings = true;
      for (const json::value el : v.elements()) {
        if (!el.copy_string_to(el_text)) {
          strings = false;
          break;
        }
        if (el_text.empty()) continue;
        if (!joined.empty()) joined.push_back(' ');
        joined += el_text;
      }
      if (strings)
        ref.scope = joined;
      else
        ref.extra.emplace_back(name, v.raw());
    } else {  // anything else, `error` and a scope of another type included, is kept raw
      if (name == "error" && !v.is_null() && !v.equals("")) error_member = v;
      ref.extra.emplace_back(name, v.raw());
    }
  }
  if (!has_type || ref.token_type.empty()) ref.token_type = "Bearer";
  for (const char c : ref.refresh_token)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ref.refresh_problem = true;
  if (ref.type_problem) {
    ref.code = pa::errc::malformed_response;
  } else if (error_member) {
    ref.carried_error = true;
    ref.code = carried_code(*error_member, ref.oauth_error);
  } else if (ref.access_token.empty()) {
    ref.code = pa::errc::malformed_response;
  } else if (has_type && !ref.token_type.empty() && !names_bearer(ref.token_type)) {
    ref.code = pa::errc::unsupported_token_type;
  }
  return ref;
}

/// The errc of a non-2xx JSON answer: its OAuth error code's, else http_error.
pa::errc error_answer_code(std::string_view body, const json::limits& lim) {
  const auto doc = json::parse(body, lim);
  std::string code;
  if (doc && doc->root().is_object())
    if (const auto e = doc->root().find("error"))
      if (e->copy_string_to(code) && pa::detail::is_oauth_error_code(code))
        return pa::errc_from_oauth_error(code);
  return pa::errc::http_error;
}

// ---- comparisons --------------------------------------------------------------------------------

struct expected_life {
  bool strict_error = false;
  std::chrono::seconds life{0};
  std::optional<std::chrono::seconds> expires_in;
};

expected_life lifetime_of(const lifetime_ref& l, const pa::token_parse_options& o) {
  const auto hard =
      std::chrono::seconds(static_cast<std::int64_t>(pa::detail::lifetime_saturation));
  const auto clamp = [&](std::chrono::seconds s) {
    return s < std::chrono::seconds(0) ? std::chrono::seconds(0) : (s > hard ? hard : s);
  };
  expected_life e;
  if (l.kind == lifetime_ref::positive) {
    const auto n = std::chrono::seconds(static_cast<std::int64_t>(l.seconds));
    e.life = n < clamp(o.max_lifetime) ? n : clamp(o.max_lifetime);
    e.expires_in = e.life;
  } else {
    e.life = clamp(o.assumed_lifetime);
    e.strict_error = l.kind == lifetime_ref::unusable && o.strict_expires_in;
  }
  return e;
}

/// The errc the reference expects from parse_token_response (errc{}: a token).
pa::errc expected_code(const reference& ref, const pa::token_parse_options& o) {
  if (ref.code != pa::errc{}) return ref.code;
  if (ref.refresh_problem) return pa::errc::malformed_response;
  return lifetime_of(ref.lifetime, o).strict_error ? pa::errc::malformed_response : pa::errc{};
}

bool same_extra(const pa::extra_members& got,
                const std::vector<std::pair<std::string, std::string>>& want) {
  if (got.size() != want.size()) return false;
  std::size_t i = 0;
  for (const auto [name, raw] : got) {
    if (name != want[i].first || raw != want[i].second) return false;
    ++i;
  }
  return true;
}

void check_against(const reference& ref, const pa::result<pa::token>& got, int status,
                   pa::time_point at, const pa::token_parse_options& o) {
  const pa::errc want = expected_code(ref, o);
  if (want != pa::errc{}) {
    require(!got.has_value());
    require(got.error().code == want);
    require(got.error().http_status == status);
    if (ref.carried_error) require(got.error().oauth_error == ref.oauth_error);
    return;
  }
  require(got.has_value());
  const pa::token& t = *got;
  require(t.access_token.reveal() == ref.access_token);
  require(t.refresh_token.reveal() == ref.refresh_token);
  require(t.id_token.reveal() == ref.id_token);
  require(t.token_type == ref.token_type);
  require(t.scope == ref.scope);
  const expected_life e = lifetime_of(ref.lifetime, o);
  require(t.expires_in == e.expires_in);
  require(t.received_at == at);
  require(t.expires_at == at + e.life);
  require(same_extra(t.extra, ref.extra));
}

bool same_error(const pa::error& x, const pa::error& y) {
  return x.code == y.code && x.message == y.message && x.http_status == y.http_status &&
         x.oauth_error == y.oauth_error && x.description == y.description && x.uri == y.uri &&
         x.retry_after == y.retry_after;
}

/// The fixed reader on a copy of the body (it decodes in place), default limits.
void check_fixed(std::string_view body, int status, const pa::errc want_non_2xx,
                 const reference* ref) {
  std::vector<char> copy(body.begin(), body.end());
  const pa::detail::fixed_answer a = pa::detail::read_fixed_answer(status, copy);
  const bool flat = json::read_flat_object(body, json::limits{}, [](const json::flat_member&) {
                      return true;
                    }) == json::flat_result::done;
  if (status < 200 || status >= 300) {
    if (flat) require(a.code == want_non_2xx);
    return;
  }
  if (!flat) {
    require(a.code == pa::errc::malformed_response);
    return;
  }
  require(ref != nullptr && ref->flat);
  require(a.code == ref->code);
  if (a.code != pa::errc{}) return;
  require(a.access_token == ref->access_token);
  const bool positive = a.lifetime.kind == pa::detail::lifetime_reading::positive;
  require(positive == (ref->lifetime.kind == lifetime_ref::positive));
  if (positive) require(a.lifetime.seconds == ref->lifetime.seconds);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t opt = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  pa::token_parse_options o;
  switch (opt & 3) {
    case 1:
      o.limits.max_string = 8;
      break;
    case 2:
      o.limits.max_values = 4;
      o.limits.max_depth = 1;
      break;
    case 3:
      o.limits.max_size = 64;
      break;
    default:
      break;
  }
  o.strict_expires_in = (opt & 4) != 0;
  static constexpr int statuses[] = {200, 200, 200, 201, 400, 401, 503, 302};
  const int status = statuses[(opt >> 3) & 7];
  if (opt & 0x40) {
    o.max_lifetime = std::chrono::seconds(100);
    o.assumed_lifetime = std::chrono::seconds(7);
  }
  if (opt & 0x80) {
    o.max_lifetime = std::chrono::seconds::max();
    o.assumed_lifetime = std::chrono::seconds(-5);
  }
  const bool default_limits = (opt & 3) == 0;

  pa::http_response resp;
  resp.status = status;
  resp.headers.add("Content-Type", "application/json");
  resp.body.assign(body);
  const pa::time_point at{std::chrono::seconds(1000)};
  const pa::result<pa::token> pub = pa::parse_token_response(resp, at, o);

  if (status < 200 || status >= 300) {
    const pa::errc want =
        all_space(body) ? pa::errc::http_error : error_answer_code(body, o.limits);
    require(!pub.has_value() && pub.error().code == want && pub.error().http_status == status);
    if (default_limits) check_fixed(body, status, want, nullptr);
    return 0;
  }

  const reference ref = read_reference(body, o.limits);
  check_against(ref, pub, status, at, o);  // A: the public entry point

  if (!all_space(body)) {
    // A: the tape reader alone, which must also give the very same error value.
    const pa::result<pa::token> general = pa::detail::parse_json_token_general(resp, at, o);
    check_against(ref, general, status, at, o);
    if (!pub) require(same_error(pub.error(), general.error()));

    // A and B: the one-pass reader alone.
    pa::token t;
    pa::detail::token_builder b{t};
    const pa::detail::flat_token f = pa::detail::read_flat_json_token(resp, o, b);
    require((f != pa::detail::flat_token::not_flat) == (ref.flat && !ref.type_problem));
    if (f == pa::detail::flat_token::carries_error) require(ref.carried_error);
    if (f == pa::detail::flat_token::built) {
      require(!ref.carried_error);
      // The members as read, before the checks that may still refuse the token.
      require(t.access_token.reveal() == ref.access_token);
      require(t.refresh_token.reveal() == ref.refresh_token);
      require(t.id_token.reveal() == ref.id_token);
      require(t.scope == ref.scope);
      require(same_extra(t.extra, ref.extra));
      pa::result<pa::token> flat;
      if (auto e = pa::detail::complete_token(b, resp, at, o))
        flat = std::move(*e);
      else
        flat = std::move(t);
      check_against(ref, flat, status, at, o);
    }
  }

  // C: the fixed reader, which always uses the default limits.
  if (default_limits) check_fixed(body, status, pa::errc{}, &ref);
  return 0;
}
