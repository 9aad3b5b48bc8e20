/*
 * The CPU's timestamp counter for @micromegas/tracing, as Node-API functions. Optional: the SDK
 * falls back to performance.now() when this addon is missing or the counter is not invariant.
 *
 * The hot path calls the function made by `stamper(f64)`: it writes the counter (relative to the
 * first read in this process, as a double) into f64[0] and returns nothing. Returning a number
 * would allocate a heap number on every call; the store into a typed array the caller reads back
 * is about half the cost (bench/sdk.ts measures both).
 */
#include <node_api.h>
#include <stdint.h>
#include <time.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_COUNTER 1
static inline uint64_t counter(void) { return __rdtsc(); }
#elif defined(__aarch64__)
#define HAVE_COUNTER 1
static inline uint64_t counter(void) {
  uint64_t v;
  __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
  return v;
}
#else
#define HAVE_COUNTER 0
static inline uint64_t counter(void) { return 0; }
#endif

/* Shared by every thread that loads the addon: readings of all threads are on one timeline. */
static uint64_t base;

static inline double since_base(void) { return (double)(counter() - base); }

static napi_value stamp(napi_env env, napi_callback_info info) {
  double* slot;
  napi_get_cb_info(env, info, NULL, NULL, NULL, (void**)&slot);
  *slot = since_base();
  return NULL;
}

/* stamper(f64: Float64Array over a (Shared)ArrayBuffer) -> () => void, writing into f64[0]. */
static napi_value stamper(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bool is_typed = false;
  if (argc < 1 || napi_is_typedarray(env, argv[0], &is_typed) != napi_ok || !is_typed) {
    napi_throw_type_error(env, NULL, "stamper expects a Float64Array");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value arraybuffer;
  size_t offset;
  napi_get_typedarray_info(env, argv[0], &type, &length, &data, &arraybuffer, &offset);
  if (type != napi_float64_array || length < 1) {
    napi_throw_type_error(env, NULL, "stamper expects a Float64Array of at least one element");
    return NULL;
  }
  /* The array must outlive the function: hold a reference for the life of this thread's env. */
  napi_ref ref;
  napi_create_reference(env, argv[0], 1, &ref);
  napi_value fn;
  napi_create_function(env, "stamp", NAPI_AUTO_LENGTH, stamp, data, &fn);
  return fn;
}

static napi_value now(napi_env env, napi_callback_info info) {
  napi_value out;
  napi_create_double(env, since_base(), &out);
  return out;
}

/* This thread's CPU time in ns (benchmarks), or -1. */
static napi_value thread_cpu_ns(napi_env env, napi_callback_info info) {
  double ns = -1;
#ifdef CLOCK_THREAD_CPUTIME_ID
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) ns = (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
#endif
  napi_value out;
  napi_create_double(env, ns, &out);
  return out;
}

/* This thread's kernel id (Linux), for reading its CPU time from /proc from another thread; or -1. */
static napi_value thread_id(napi_env env, napi_callback_info info) {
  double tid = -1;
#ifdef __linux__
  tid = (double)syscall(SYS_gettid);
#endif
  napi_value out;
  napi_create_double(env, tid, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  uint64_t zero = 0;
  uint64_t first = counter();
  __atomic_compare_exchange_n(&base, &zero, first, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  napi_value available;
  napi_get_boolean(env, HAVE_COUNTER, &available);
  napi_property_descriptor props[] = {
    {"available", NULL, NULL, NULL, NULL, available, napi_enumerable, NULL},
    {"stamper", NULL, stamper, NULL, NULL, NULL, napi_enumerable, NULL},
    {"now", NULL, now, NULL, NULL, NULL, napi_enumerable, NULL},
    {"threadCpuNs", NULL, thread_cpu_ns, NULL, NULL, NULL, napi_enumerable, NULL},
    {"threadId", NULL, thread_id, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
