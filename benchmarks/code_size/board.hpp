// SPDX-License-Identifier: MIT
// Code-size harness: the "board" every M2M variant talks to (an HTTP module, a tick, a TRNG).
//
// These functions are only declared here and defined in board_stubs.c, which every firmware
// image links, so the measured translation units cannot see through them and the compiler
// cannot fold the M2M path away.
#ifndef PROFILE_AUTH_BENCHMARKS_CODE_SIZE_BOARD_HPP
#define PROFILE_AUTH_BENCHMARKS_CODE_SIZE_BOARD_HPP

#include <stddef.h>  // size_t (C header: shared with board_stubs.c)
#include <stdint.h>  // uint32_t

#ifdef __cplusplus
extern "C" {
#endif

/// POSTs `body` to `url` with one extra header; writes the answer body into `out`.
/// Returns the HTTP status (0 on a transport failure) and stores the body length in `*out_len`.
int board_http_post(const char* url, const char* content_type, const char* body, size_t body_len,
                    char* out, size_t out_cap, size_t* out_len);
/// Milliseconds since boot (monotonic).
uint32_t board_millis(void);
/// Fills `buf` with TRNG output; returns 0 on success.
int board_trng_fill(void* buf, size_t len);

/// The entry point every variant implements: writes "Bearer <token>" into `out` (NUL-terminated)
/// and returns its length, or -1.
int app_authorization_header(char* out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif  // PROFILE_AUTH_BENCHMARKS_CODE_SIZE_BOARD_HPP
