// SPDX-License-Identifier: MIT
// Code-size harness: the empty variant. Same board calls, no auth logic; its image is the
// baseline subtracted from every other image.
#include "board.hpp"

#include <string.h>  // memcpy

extern "C" int app_authorization_header(char* out, size_t cap) {
  static char body[1024];
  size_t n = 0;
  const int status = board_http_post("https://api.profilebehavior.com/v3/auth", "application/json",
                                     "{}", 2, body, sizeof body, &n);
  if (status != 200 || n + 1 > cap) return -1;
  memcpy(out, body, n);
  out[n] = '\0';
  return static_cast<int>(n);
}
