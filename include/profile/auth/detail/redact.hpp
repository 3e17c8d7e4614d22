// SPDX-License-Identifier: MIT
// profile-auth: removing the credentials a request carried from the error built from its answer
// (a server may quote what it was sent). Internal; the parse functions' options point at it.
#ifndef PROFILE_AUTH_DETAIL_REDACT_HPP
#define PROFILE_AUTH_DETAIL_REDACT_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>  // client_auth, basic_encoding, the Basic value
#include <profile/auth/secret.hpp>

#include <cstddef>      // std::size_t
#include <string>       // the texts scrubbed, the encoded forms
#include <string_view>  // the credentials (views)

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json_writer.hpp>  // a credential as a JSON body carries it
#include <profile/auth/encoding.hpp>            // ... as a form body or a URL carries it
#endif

namespace profile::auth::inline v0::detail {

/// Credentials of at least this many bytes are replaced by "[redacted]" wherever they occur,
/// and so is a cut-off start of at least this many bytes where a length cap cut the text.
/// Shorter ones cannot be told apart from ordinary words (replacing every "a" would garble
/// everything): a server text field (description, uri, request id, an unregistered error code)
/// that contains one is withheld as a whole ("[redacted]"), and the library's own words in
/// error::message are left alone.
inline constexpr std::size_t min_redacted_prefix = 4;

/// Replaces every occurrence of `needle` in `text` by "[redacted]", and also a cut-off start
/// of it (min_redacted_prefix bytes or more) that ends where the text was cut: right before
/// a "..." (sanitize_text marks a cut so) or at the end of the text (capped fields). A server
/// that quotes a long token in its error_description would otherwise leave the token's first
/// bytes in a message, where the cap happened to cut it.
void redact_in(std::string& text, std::string_view needle);

/// The credentials one request carried (client secret, refresh token, authorization code, code
/// verifier, device code, access token, assertion …), so that no error built from its answer
/// repeats them. Holds views: every credential must outlive the list. No allocation; chains to
/// another list (a parse function adding the credentials it knows to its caller's).
///
/// Each credential is removed in every form a server may quote it in: as it is; form-encoded
/// and percent-encoded (upper- or lower-case hex), as a form body or a URL carries it;
/// JSON-escaped (also with "\/"), as a JSON body carries it; and for a client that
/// authenticates with HTTP Basic, the whole base64 credential of its `Authorization` value.
class credential_list {
 public:
  /// Credentials one list holds (every request the library builds carries at most four).
  static constexpr std::size_t capacity = 8;

  credential_list() = default;
  /// A list that also removes every credential of `more` (which must outlive it).
  explicit credential_list(const credential_list* more) noexcept : more_(more) {}

  /// Adds one credential (ignored when empty, or when the list is full).
  credential_list& add(std::string_view credential) noexcept {
    if (!credential.empty() && n_ < capacity) items_[n_++] = credential;
    return *this;
  }
  credential_list& add(const secret& s) noexcept { return add(s.reveal()); }

  /// Adds a client's secret, and for client_secret_basic its Basic credential as sent.
  credential_list& add_client(std::string_view client_id, const secret& client_secret,
                              client_auth method, basic_encoding enc) noexcept {
    if (method == client_auth::none || client_secret.empty()) return *this;
    add(client_secret);
    if (method == client_auth::client_secret_basic) {
      basic_id_ = client_id;
      basic_secret_ = &client_secret;
      basic_enc_ = enc;
    }
    return *this;
  }
  /// add_client() with a configuration's client_id, client_secret, auth and basic
  /// (client_credentials_config, user_auth_config).
  template <class Config>
  credential_list& add_client_of(const Config& c) noexcept {
    return add_client(c.client_id, c.client_secret, c.auth, c.basic);
  }

  /// True when the list (and what it chains to) holds nothing to remove.
  [[nodiscard]] bool empty() const noexcept {
    return n_ == 0 && basic_secret_ == nullptr && (more_ == nullptr || more_->empty());
  }

  /// Removes every credential from one piece of server text, before a length cap cuts it (so
  /// that no cut-off start of a credential can be left by the cap).
  void scrub_text(std::string& text) const;

  /// Removes every credential from every text field of `e`: message, description, uri,
  /// request_id, and oauth_error unless it is a registered error code.
  void scrub(error& e) const;

 private:
  template <class F>
  void for_each_form(const F& f) const;

  std::string_view items_[capacity]{};
  std::size_t n_ = 0;
  std::string_view basic_id_;
  const secret* basic_secret_ = nullptr;
  basic_encoding basic_enc_ = basic_encoding::form_encoded;
  const credential_list* more_ = nullptr;
};

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE void redact_in(std::string& text, std::string_view needle) {
  if (needle.empty()) return;
  for (std::size_t at = 0; (at = text.find(needle, at)) != std::string::npos;) {
    text.replace(at, needle.size(), redacted);
    at += redacted.size();
  }
  if (needle.size() <= min_redacted_prefix) return;
  // The longest proper prefix of `needle` that ends at `end`; returns where the text continues.
  const auto redact_prefix_before = [&](std::size_t end) {
    const std::size_t longest = end < needle.size() - 1 ? end : needle.size() - 1;
    for (std::size_t from = end - longest; from + min_redacted_prefix <= end; ++from) {
      if (text[from] != needle.front() || text.compare(from, end - from, needle, 0, end - from))
        continue;
      text.replace(from, end - from, redacted);
      return from + redacted.size();
    }
    return end;
  };
  for (std::size_t cut = text.find("..."); cut != std::string::npos; cut = text.find("...", cut))
    cut = redact_prefix_before(cut) + 3;
  (void)redact_prefix_before(text.size());
}

namespace redaction {

/// Removes `needle` from a field of server text: in place when it is long enough to be told
/// apart from ordinary words, else by withholding the whole field.
PROFILE_AUTH_INLINE void from_server_text(std::string& text, std::string_view needle) {
  if (needle.size() >= min_redacted_prefix)
    redact_in(text, needle);
  else if (!needle.empty() && text.find(needle) != std::string::npos)
    text.assign(redacted);
}

/// Lower-cases the hex digits of every %XX escape in `s` (in place: no copy left behind).
PROFILE_AUTH_INLINE void lower_hex_escapes(std::string& s) noexcept {
  for (std::size_t i = 0; i + 2 < s.size(); ++i)
    if (s[i] == '%')
      for (std::size_t k = i + 1; k <= i + 2; ++k)
        if (s[k] >= 'A' && s[k] <= 'F') s[k] = static_cast<char>(s[k] - 'A' + 'a');
}

/// Scratch buffers for the encoded forms of one credential, sized once (no reallocation leaves
/// a stale copy in freed memory) and wiped when done.
struct forms {
  explicit forms(std::size_t n) {
    for (std::string& s : buf) s.reserve(6 * n + 8);
  }
  forms(const forms&) = delete;
  forms& operator=(const forms&) = delete;
  ~forms() {
    for (std::string& s : buf) secure_wipe(s);
  }
  std::string buf[4];
};

}  // namespace redaction

template <class F>
void credential_list::for_each_form(const F& f) const {
  for (std::size_t i = 0; i < n_; ++i) {
    const std::string_view c = items_[i];
    f(c);
    redaction::forms w(c.size());
    std::string& form = w.buf[0];
    std::string& pct = w.buf[1];
    std::string& lower = w.buf[2];
    std::string& js = w.buf[3];
    form_urlencode_to(form, c);
    percent_encode_to(pct, c);
    const auto emit = [&](const std::string& s) {  // each distinct form once
      if (s != c) f(std::string_view(s));
    };
    emit(form);
    if (pct != form) emit(pct);
    for (const std::string* s : {&form, &pct}) {
      if (s == &pct && pct == form) continue;
      lower.assign(*s);
      redaction::lower_hex_escapes(lower);
      if (lower != *s) emit(lower);
    }
    (void)json::write_string(js, c);
    js.pop_back();  // the quotes
    js.erase(0, 1);
    emit(js);
    if (js.find('/') != std::string::npos) {  // PHP's json_encode writes "\/"
      lower.clear();
      for (const char ch : js) {
        if (ch == '/') lower.push_back('\\');
        lower.push_back(ch);
      }
      emit(lower);
    }
  }
  if (basic_secret_ != nullptr) {
    std::string value = basic_authorization_value(basic_id_, *basic_secret_, basic_enc_);
    f(std::string_view(value).substr(value.find(' ') + 1));  // after "Basic "
    secure_wipe(value);
  }
  if (more_ != nullptr) more_->for_each_form(f);
}

PROFILE_AUTH_INLINE void credential_list::scrub_text(std::string& text) const {
  for_each_form([&](std::string_view needle) { redaction::from_server_text(text, needle); });
}

PROFILE_AUTH_INLINE void credential_list::scrub(error& e) const {
  // A registered error code is the server's verdict, not a quote (and revocation and device
  // polling act on it).
  const bool registered = errc_from_oauth_error(e.oauth_error) != errc::oauth_error ||
                          e.oauth_error == "unsupported_token_type";
  for_each_form([&](std::string_view needle) {
    redaction::from_server_text(e.description, needle);
    redaction::from_server_text(e.uri, needle);
    redaction::from_server_text(e.request_id, needle);
    if (!registered) redaction::from_server_text(e.oauth_error, needle);
    if (needle.size() >= min_redacted_prefix) redact_in(e.message, needle);
  });
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_REDACT_HPP
