// SPDX-License-Identifier: MIT
// profile-auth command-line tool: arguments, output, exit codes and credentials (cli.hpp).
#include "cli.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <utility>

#if defined(_WIN32)
#include <io.h>
#define PROFILE_AUTH_CLI_ISATTY(fd) _isatty(fd)
#define PROFILE_AUTH_CLI_FILENO(f) _fileno(f)
#else
#include <sys/stat.h>
#include <unistd.h>
#define PROFILE_AUTH_CLI_ISATTY(fd) isatty(fd)
#define PROFILE_AUTH_CLI_FILENO(f) fileno(f)
#endif

namespace cli {

int exit_code_of(const pa::error& e) noexcept {
  switch (pa::classify(e)) {
    case pa::error_class::retryable:
      return exit_retryable;
    case pa::error_class::credentials:
      return exit_credentials;
    case pa::error_class::reauthenticate:
      return exit_reauthenticate;
    case pa::error_class::misconfiguration:
      return exit_misconfiguration;
    case pa::error_class::user_action:
      return exit_user_action;
    case pa::error_class::protocol:
      return exit_protocol;
    case pa::error_class::local:
      return exit_local;
  }
  return exit_internal;
}

const char* const exit_code_help =
    "Exit codes (by the error's class, profile::auth::classify()):\n"
    "   0  success\n"
    "   1  internal error\n"
    "   2  usage error (unknown flag, missing value, a secret passed on the command line)\n"
    "   3  retryable: network failure, timeout, 5xx, 429: try again later\n"
    "   4  credentials: the client id or secret is wrong (invalid_client, unauthorized_client)\n"
    "   5  reauthenticate: the grant or token is dead (invalid_grant, invalid_token, ...)\n"
    "   6  misconfiguration: bad URL, insecure endpoint, scope, origin not allowed, ...\n"
    "   7  user action: access denied or not finished\n"
    "   8  protocol: the server answered something unusable\n"
    "   9  local: a file or stdin could not be read, bad input (e.g. base64)\n"
    "  10  curl only: the API answered with a non-2xx status (printed as usual)\n";

const char* const transport_help =
    "Transport:\n"
    "  --cacert FILE          trust the CAs in this PEM file\n"
    "  --timeout SECONDS      whole-request timeout (default 30)\n";

const char* const m2m_help =
    "Credentials (client credentials grant):\n"
    "  --client-id ID         the client id (default: $PROFILE_CLIENT_ID)\n"
    "  --client-secret-file FILE\n"
    "                         read the secret from FILE (one line; a trailing newline is\n"
    "                         dropped)\n"
    "  --client-secret-stdin  read the secret from standard input\n"
    "                         (default: $PROFILE_CLIENT_SECRET). The secret is never\n"
    "                         accepted as an argument: argv is readable by every user of\n"
    "                         the machine (ps, /proc/PID/cmdline) and lands in shell history.\n"
    "Server:\n"
    "  --base-url URL         the Profile API (default https://vanguard.profilebehavior.com):\n"
    "                         token from URL/api/v4/auth (JSON body); the token may be sent\n"
    "                         to URL's origin\n"
    "  --token-endpoint URL   another token endpoint (the token may then go to its origin\n"
    "                         and --api-origin values only, not to the Profile API)\n"
    "  --issuer URL           a standard OAuth server: its token endpoint and client\n"
    "                         authentication come from its RFC 8414 metadata; form body\n"
    "  --form                 RFC 6749 form body with HTTP Basic (standard OAuth servers)\n"
    "  --scope S, --audience A, --resource URI (repeatable)\n"
    "  --api-origin URL       also allow sending the token to this origin (repeatable)\n";

bool is_help(std::string_view s) noexcept { return s == "-h" || s == "--help"; }

// --- arguments --------------------------------------------------------------------------------

args::args(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) items_.emplace_back(argv[i]);
}

std::string args::next() {
  pending_.reset();
  std::string item = items_[at_++];
  // "--flag=value": the flag now, the value for value(). "-" and operands stay whole.
  if (item.size() > 2 && item.starts_with("--")) {
    const std::size_t eq = item.find('=');
    if (eq != std::string::npos) {
      pending_ = item.substr(eq + 1);
      item.resize(eq);
    }
  }
  return item;
}

std::optional<std::string> args::value(std::string_view flag) {
  if (pending_) {
    std::optional<std::string> v = std::move(pending_);
    pending_.reset();
    return v;
  }
  if (done()) {
    usage_error(std::string(flag) + " needs a value");
    return std::nullopt;
  }
  return items_[at_++];
}

// --- output -----------------------------------------------------------------------------------

namespace {
std::string wrap(bool on, const char* code, std::string_view s) {
  if (!on) return std::string(s);
  std::string out = "\033[";
  out += code;
  out += 'm';
  out += s;
  out += "\033[0m";
  return out;
}
}  // namespace

std::string style::bold(std::string_view s) const { return wrap(on, "1", s); }
std::string style::red(std::string_view s) const { return wrap(on, "31", s); }
std::string style::green(std::string_view s) const { return wrap(on, "32", s); }
std::string style::yellow(std::string_view s) const { return wrap(on, "33", s); }
std::string style::dim(std::string_view s) const { return wrap(on, "2", s); }

style style_for(std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  style s;
  s.on = (no_color == nullptr || *no_color == '\0') &&
         PROFILE_AUTH_CLI_ISATTY(PROFILE_AUTH_CLI_FILENO(stream)) != 0;
  return s;
}

void usage_error(std::string_view message) {
  std::cerr << "profile-auth: " << message << " (see --help)\n";
}

namespace {
std::string scrubbed(std::string text, const std::vector<std::string_view>& scrub) {
  for (const std::string_view s : scrub) {
    if (s.empty()) continue;
    for (std::size_t at = text.find(s); at != std::string::npos; at = text.find(s, at))
      text.replace(at, s.size(), pa::redacted);
  }
  return text;
}
}  // namespace

int report(const pa::error& e, const std::vector<std::string_view>& scrub) {
  const style st = style_for(stderr);
  const int code = exit_code_of(e);
  std::string line = st.red("error") + ": " + std::string(pa::to_string(e.code));
  if (e.http_status != 0) line += " (HTTP " + std::to_string(e.http_status) + ")";
  line += ": " + scrubbed(e.message, scrub);
  if (!e.description.empty() && e.message.find(e.description) == std::string::npos)
    line += "\n  server says: " + scrubbed(e.description, scrub);
  if (!e.request_id.empty()) line += "\n  request id: " + scrubbed(e.request_id, scrub);
  if (e.retry_after) line += "\n  retry after: " + std::to_string(e.retry_after->count()) + " s";
  std::cerr << "profile-auth: " << line << "\n";
  return code;
}

void json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void json_strings(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) out += ',';
    json_string(out, v[i]);
  }
  out += ']';
}

// --- transport --------------------------------------------------------------------------------

bool transport_flags::parse(std::string_view flag, args& a, bool& failed) {
  if (flag == "--cacert") {
    auto v = a.value(flag);
    if (!v) return failed = true;
    options.ca_file = std::move(*v);
    return true;
  }
  if (flag == "--timeout") {
    auto v = a.value(flag);
    if (!v) return failed = true;
    char* end = nullptr;
    const long s = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || s <= 0 || s > 3600) {
      usage_error("--timeout wants a number of seconds between 1 and 3600");
      return failed = true;
    }
    options.timeout = std::chrono::seconds(s);
    return true;
  }
  return false;
}

// --- M2M credentials --------------------------------------------------------------------------

bool m2m_flags::parse(std::string_view flag, args& a, bool& failed) {
  const auto take = [&](std::string& into) {
    auto v = a.value(flag);
    if (!v) return failed = true;
    into = std::move(*v);
    return true;
  };
  const auto add = [&](std::vector<std::string>& into) {
    auto v = a.value(flag);
    if (!v) return failed = true;
    into.push_back(std::move(*v));
    return true;
  };
  if (flag == "--client-secret" || flag == "-s" || flag == "--secret") {
    // Never read the value, never echo it: it is already exposed, say so and stop.
    usage_error(std::string(flag) +
                " is refused: a secret on the command line is readable by every user of "
                "this machine (ps, /proc/PID/cmdline) and is saved in shell history. Use "
                "$PROFILE_CLIENT_SECRET, --client-secret-file FILE or --client-secret-stdin, "
                "and consider rotating a secret that was typed into a command line");
    return failed = true;
  }
  if (flag == "--client-id") return take(client_id);
  if (flag == "--client-secret-file") {
    std::string f;
    if (!take(f)) return true;
    secret_file = std::move(f);
    return true;
  }
  if (flag == "--client-secret-stdin") return secret_stdin = true;
  if (flag == "--base-url") {
    base_url_set = true;
    return take(base_url);
  }
  if (flag == "--token-endpoint") return take(token_endpoint);
  if (flag == "--issuer") return take(issuer);
  if (flag == "--form") return form = true;
  if (flag == "--scope") return take(scope);
  if (flag == "--audience") return add(audience);
  if (flag == "--resource") return add(resource);
  if (flag == "--api-origin") return add(api_origins);
  return false;
}

namespace {
/// Drops trailing CR/LF (a file written by an editor or `echo`).
void chomp(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
}
}  // namespace

std::optional<pa::client_credentials_config> m2m_flags::config(
    pa::transports::curl_transport& transport, int& exit) const {
  exit = exit_usage;
  std::string id = client_id;
  if (id.empty())
    if (const char* env = std::getenv("PROFILE_CLIENT_ID")) id = env;
  if (id.empty()) {
    usage_error("no client id: set PROFILE_CLIENT_ID or pass --client-id");
    return std::nullopt;
  }
  if (secret_file && secret_stdin) {
    usage_error("--client-secret-file and --client-secret-stdin exclude each other");
    return std::nullopt;
  }
  pa::secret sec;
  if (secret_file || secret_stdin) {
    std::string text;
    if (secret_stdin) {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
#if !defined(_WIN32)
      // Like ssh with a private key: a secret others can read is already half public.
      struct stat st {};
      if (::stat(secret_file->c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
          (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        std::cerr << "profile-auth: warning: the client secret file '" << *secret_file
                  << "' is accessible by other users: chmod 600 it\n";
#endif
      std::ifstream in(*secret_file, std::ios::binary);
      if (!in) {
        std::cerr << "profile-auth: cannot read the client secret file '" << *secret_file << "'\n";
        exit = exit_local;
        return std::nullopt;
      }
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    chomp(text);
    sec = pa::secret(std::move(text));  // wipes `text`
  } else if (const char* env = std::getenv("PROFILE_CLIENT_SECRET")) {
    sec = pa::secret(env);
  }
  if (sec.empty()) {
    usage_error(
        "no client secret: set PROFILE_CLIENT_SECRET, or pass --client-secret-file FILE or "
        "--client-secret-stdin");
    return std::nullopt;
  }

  pa::client_credentials_config c;
  if (!issuer.empty()) {
    auto md = pa::discover(transport, issuer);
    if (!md) {
      exit = report(md.error());
      return std::nullopt;
    }
    auto method = pa::preferred_client_auth(*md);
    if (!method) {
      exit = report(method.error());
      return std::nullopt;
    }
    c.token_endpoint = md->token_endpoint;
    c.client_id = std::move(id);
    c.client_secret = std::move(sec);
    c.auth = *method;
    c.format = pa::body_format::form;
  } else {
    c = pa::profile::m2m_config_v4(std::move(id), std::move(sec), base_url);
    if (!token_endpoint.empty()) {
      c.token_endpoint = token_endpoint;
      // A token from another server must not go to the Profile API unless asked for.
      if (!base_url_set) c.api_origins.clear();
    }
  }
  if (!issuer.empty() && !token_endpoint.empty()) c.token_endpoint = token_endpoint;
  if (form) {
    c.format = pa::body_format::form;
    c.auth = pa::client_auth::client_secret_basic;
  }
  c.scope = scope;
  c.audience = audience;
  c.resource = resource;
  for (const auto& o : api_origins) c.api_origins.push_back(o);
  exit = exit_ok;
  return c;
}

}  // namespace cli
