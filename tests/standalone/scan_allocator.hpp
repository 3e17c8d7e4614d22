// SPDX-License-Identifier: MIT
// profile-auth tests: a replacement of every global operator new and delete (sized, aligned,
// array, nothrow) that poisons each block when it is handed out and, when it is freed, scans it
// for marker bytes that only the tests' secrets contain, then poisons it again. A test arms the
// scan on its own thread with scan::window and counts the freed blocks that held the marker.
// Include it in exactly one translation unit of a program of its own (docs/testing.md).
#ifndef PROFILE_AUTH_TESTS_STANDALONE_SCAN_ALLOCATOR_HPP
#define PROFILE_AUTH_TESTS_STANDALONE_SCAN_ALLOCATOR_HPP

#include <atomic>       // the hit counters
#include <cstddef>      // std::size_t
#include <cstdlib>      // std::malloc, std::free, std::aligned_alloc, std::abort
#include <cstring>      // std::memset, std::memcpy
#include <new>          // the replaced operators, std::align_val_t, std::nothrow_t
#include <string_view>  // the marker

#if defined(__SANITIZE_THREAD__)
#error \
    "scan_allocator.hpp replaces operator new, which ThreadSanitizer defines: build files skip its programs"
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#error \
    "scan_allocator.hpp replaces operator new, which this sanitizer defines: build files skip its programs"
#endif
#endif

namespace scan {

/// Bytes that every secret of these tests contains and nothing else does.
constexpr std::string_view marker = "SCANMARK";
constexpr unsigned char fresh = 0xA5;  // a block just handed out
constexpr unsigned char freed = 0xDD;  // a block given back

inline std::atomic<std::size_t> hits{0};           ///< freed blocks that held the marker
inline std::atomic<std::size_t> last_hit_size{0};  ///< the size of the latest one
inline thread_local bool armed = false;            ///< whether this thread's frees are scanned

/// Every block carries a header in front of it: its size, in the last word of the header. The
/// header is the block's alignment (at least the default new alignment) long, so the block
/// stays aligned.
constexpr std::size_t default_align = __STDCPP_DEFAULT_NEW_ALIGNMENT__;
static_assert(default_align >= sizeof(std::size_t));

inline std::size_t header_size(std::size_t align) noexcept {
  return align < default_align ? default_align : align;
}

/// Whether the n bytes at p contain the marker.
inline bool holds_marker(const void* p, std::size_t n) noexcept {
  return std::string_view(static_cast<const char*>(p), n).find(marker) != std::string_view::npos;
}

inline void* allocate(std::size_t n, std::size_t align, bool nothrow) {
  const std::size_t h = header_size(align);
  std::size_t total = h + (n == 0 ? 1 : n);
  void* base = nullptr;
  if (h == default_align) {
    base = std::malloc(total);
  } else {
    total = (total + h - 1) / h * h;  // aligned_alloc wants a multiple of the alignment
    base = std::aligned_alloc(h, total);
  }
  if (base == nullptr) {
    if (nothrow) return nullptr;
    std::abort();  // the tests do not run out of memory; no exceptions under -fno-exceptions
  }
  auto* p = static_cast<unsigned char*>(base) + h;
  std::memcpy(p - sizeof(std::size_t), &n, sizeof n);
  std::memset(p, fresh, n);
  return p;
}

/// The size asked for when the block at p (from allocate) was handed out.
inline std::size_t block_size(const void* p) noexcept {
  std::size_t n = 0;
  std::memcpy(&n, static_cast<const unsigned char*>(p) - sizeof(std::size_t), sizeof n);
  return n;
}

/// Poisons and frees a block from allocate(n, align, …), without scanning it.
inline void give_back(void* ptr, std::size_t align) noexcept {
  auto* p = static_cast<unsigned char*>(ptr);
  std::memset(p, freed, block_size(p));
  std::free(p - header_size(align));
}

/// What the replaced operator delete does: scans (when armed), poisons, frees.
inline void release(void* ptr, std::size_t align) noexcept {
  if (ptr == nullptr) return;
  const std::size_t n = block_size(ptr);
  if (armed && holds_marker(ptr, n)) {
    hits.fetch_add(1, std::memory_order_relaxed);
    last_hit_size.store(n, std::memory_order_relaxed);
  }
  give_back(ptr, align);
}

/// Arms the scan on this thread for its lifetime; close() is the number of freed blocks that
/// held the marker meanwhile.
class window {
 public:
  window() noexcept : start_(hits.load()) { armed = true; }
  window(const window&) = delete;
  window& operator=(const window&) = delete;
  ~window() { armed = false; }
  std::size_t close() noexcept {
    armed = false;
    return hits.load() - start_;
  }

 private:
  std::size_t start_;
};

}  // namespace scan

// ---- the replacements
// ----------------------------------------------------------------------------
void* operator new(std::size_t n) { return scan::allocate(n, 0, false); }
void* operator new[](std::size_t n) { return scan::allocate(n, 0, false); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return scan::allocate(n, 0, true);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return scan::allocate(n, 0, true);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return scan::allocate(n, static_cast<std::size_t>(a), false);
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return scan::allocate(n, static_cast<std::size_t>(a), false);
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return scan::allocate(n, static_cast<std::size_t>(a), true);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return scan::allocate(n, static_cast<std::size_t>(a), true);
}
void operator delete(void* p) noexcept { scan::release(p, 0); }
void operator delete[](void* p) noexcept { scan::release(p, 0); }
void operator delete(void* p, std::size_t) noexcept { scan::release(p, 0); }
void operator delete[](void* p, std::size_t) noexcept { scan::release(p, 0); }
void operator delete(void* p, const std::nothrow_t&) noexcept { scan::release(p, 0); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { scan::release(p, 0); }
void operator delete(void* p, std::align_val_t a) noexcept {
  scan::release(p, static_cast<std::size_t>(a));
}
void operator delete[](void* p, std::align_val_t a) noexcept {
  scan::release(p, static_cast<std::size_t>(a));
}
void operator delete(void* p, std::size_t, std::align_val_t a) noexcept {
  scan::release(p, static_cast<std::size_t>(a));
}
void operator delete[](void* p, std::size_t, std::align_val_t a) noexcept {
  scan::release(p, static_cast<std::size_t>(a));
}
void operator delete(void* p, std::align_val_t a, const std::nothrow_t&) noexcept {
  scan::release(p, static_cast<std::size_t>(a));
}
void operator delete[](void* p, std::align_val_t a, const std::nothrow_t&) noexcept {
  scan::release(p, static_cast<std::size_t>(a));
}

#endif  // PROFILE_AUTH_TESTS_STANDALONE_SCAN_ALLOCATOR_HPP
