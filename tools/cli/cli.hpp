// SPDX-License-Identifier: MIT
// profile-auth command-line tool: what the subcommands share (arguments, output, exit codes,
// credentials). Written on the library's public API only (docs/cli.md).
#ifndef PROFILE_AUTH_CLI_HPP
#define PROFILE_AUTH_CLI_HPP

// The public headers this tool uses (not the umbrella <profile/auth.hpp>: only what it needs).
#include <profile/auth/discovery.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/jwt.hpp>
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/resource_metadata.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token_response.hpp>
#include <profile/auth/transports/curl.hpp>
#include <profile/auth/version.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

namespace pa = profile::auth;

/// Exit codes (docs/cli.md, `profile-auth --help`). 3-9 follow profile::auth::classify().
enum exit_code : int {
  exit_ok = 0,
  exit_internal = 1,          ///< a bug or an unexpected state
  exit_usage = 2,             ///< bad command line (unknown flag, missing value, secret in argv)
  exit_retryable = 3,         ///< error_class::retryable: network, 5xx, 429: try again later
  exit_credentials = 4,       ///< error_class::credentials: wrong client id or secret
  exit_reauthenticate = 5,    ///< error_class::reauthenticate: the grant or token is dead
  exit_misconfiguration = 6,  ///< error_class::misconfiguration: URL, scope, origin, insecure
  exit_user_action = 7,       ///< error_class::user_action: refused or not finished
  exit_protocol = 8,          ///< error_class::protocol: the server answered something unusable
  exit_local = 9,             ///< error_class::local: a file, stdin, decoding, randomness
  exit_http_status = 10,      ///< `curl`: the API answered with a non-2xx status
};

/// The exit code of an error, by its class.
[[nodiscard]] int exit_code_of(const pa::error& e) noexcept;

/// The table printed by `--help` (also in docs/cli.md).
extern const char* const exit_code_help;

/// Command-line arguments after the subcommand, consumed front to back.
class args {
 public:
  args(int argc, char** argv, int first);
  [[nodiscard]] bool done() const noexcept { return at_ >= items_.size(); }
  /// The next item (a flag or an operand); done() must be false.
  [[nodiscard]] std::string next();
  /// The value of the flag just read: `--flag=value` or the following item. Empty optional
  /// (after printing a usage error) when there is none.
  [[nodiscard]] std::optional<std::string> value(std::string_view flag);
  /// True when the item just returned by next() carried `=value`.
  [[nodiscard]] bool has_inline_value() const noexcept { return pending_.has_value(); }

 private:
  std::vector<std::string> items_;
  std::size_t at_ = 0;
  std::optional<std::string> pending_;  ///< the `=value` part of the item just returned
};

/// Colours for human output, on only when the stream is a terminal and NO_COLOR is unset.
struct style {
  bool on = false;
  [[nodiscard]] std::string bold(std::string_view s) const;
  [[nodiscard]] std::string red(std::string_view s) const;
  [[nodiscard]] std::string green(std::string_view s) const;
  [[nodiscard]] std::string yellow(std::string_view s) const;
  [[nodiscard]] std::string dim(std::string_view s) const;
};
[[nodiscard]] style style_for(std::FILE* stream);

/// Prints "profile-auth: <message>" on stderr.
void usage_error(std::string_view message);

/// Prints the error on stderr (code, class, HTTP status, the library's message) with every
/// occurrence of each `scrub` value replaced by [redacted], and returns its exit code.
int report(const pa::error& e, const std::vector<std::string_view>& scrub = {});

/// Appends `s` as a JSON string (quoted, escaped; control bytes as \u00XX).
void json_string(std::string& out, std::string_view s);
/// A JSON array of strings.
void json_strings(std::string& out, const std::vector<std::string>& v);

/// Transport options every networked subcommand takes (--cacert, --timeout).
struct transport_flags {
  pa::transports::curl_options options;
  /// Handles one of the transport flags; false when `flag` is not one (nothing consumed).
  /// Sets `failed` on a bad value.
  bool parse(std::string_view flag, args& a, bool& failed);
};
extern const char* const transport_help;

/// The M2M credentials and token endpoint of `token` and `curl`.
struct m2m_flags {
  std::string client_id;  ///< --client-id, else PROFILE_CLIENT_ID
  std::optional<std::string> secret_file;
  bool secret_stdin = false;
  std::string base_url{pa::profile::v4_base_url};
  bool base_url_set = false;   ///< --base-url was given
  std::string token_endpoint;  ///< overrides the preset's
  std::string issuer;          ///< discover the token endpoint (standard OAuth server)
  bool form = false;           ///< RFC 6749 form body + HTTP Basic instead of Profile's JSON
  std::string scope;
  std::vector<std::string> audience;
  std::vector<std::string> resource;
  std::vector<std::string> api_origins;

  /// Handles one of the M2M flags; false when `flag` is not one. Sets `failed` on a bad value
  /// (usage error printed), including any attempt to pass the secret itself in argv.
  bool parse(std::string_view flag, args& a, bool& failed);
  /// Reads the secret and builds the configuration (discovering the token endpoint for
  /// --issuer through `transport`). On failure prints the reason and sets `exit`.
  [[nodiscard]] std::optional<pa::client_credentials_config> config(
      pa::transports::curl_transport& transport, int& exit) const;
};
extern const char* const m2m_help;

int cmd_token(args& a);
int cmd_inspect(args& a);
int cmd_discover(args& a);
int cmd_curl(args& a);

/// True for -h / --help.
[[nodiscard]] bool is_help(std::string_view s) noexcept;

}  // namespace cli

#endif  // PROFILE_AUTH_CLI_HPP
