// SPDX-License-Identifier: MIT
// profile-auth: a command-line tool on the library's public API (docs/cli.md).
#include "cli.hpp"

#include <iostream>
#include <string>

namespace {

void print_help() {
  std::cout
      << "profile-auth " PROFILE_AUTH_VERSION_STRING
         " - OAuth tokens for the Profile API and any OAuth 2.0/2.1 server\n"
         "\n"
         "Usage: profile-auth <command> [options]\n"
         "\n"
         "Commands:\n"
         "  token      get an M2M (client credentials) access token and print it\n"
         "  curl       send an HTTP request with the M2M token attached\n"
         "  inspect    decode a JWT's header and claims (UNVERIFIED)\n"
         "  discover   print the RFC 9728 / RFC 8414 metadata chain of a resource URL\n"
         "\n"
         "  profile-auth <command> --help   shows a command's options.\n"
         "  profile-auth --version          prints the version.\n"
         "\n"
      << cli::exit_code_help
      << "\n"
         "Environment: PROFILE_CLIENT_ID, PROFILE_CLIENT_SECRET; NO_COLOR turns colours off.\n"
         "Not available yet: login, logout, whoami (they need the zero-configuration user\n"
         "login).\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_help();
    return cli::exit_usage;
  }
  const std::string command = argv[1];
  cli::args a(argc, argv, 2);
  if (cli::is_help(command) || command == "help") {
    print_help();
    return cli::exit_ok;
  }
  if (command == "--version" || command == "-V" || command == "version") {
    std::cout << "profile-auth " PROFILE_AUTH_VERSION_STRING "\n";
    return cli::exit_ok;
  }
  if (command == "token") return cli::cmd_token(a);
  if (command == "curl") return cli::cmd_curl(a);
  if (command == "inspect") return cli::cmd_inspect(a);
  if (command == "discover") return cli::cmd_discover(a);
  if (command == "login" || command == "logout" || command == "whoami") {
    std::cerr << "profile-auth: '" << command
              << "' is not available yet: it needs the zero-configuration user login\n";
    return cli::exit_usage;
  }
  // Only up to '=': `--client-secret=…` before the command must not be echoed.
  cli::usage_error("unknown command '" + command.substr(0, command.find('=')) + "'");
  return cli::exit_usage;
}
