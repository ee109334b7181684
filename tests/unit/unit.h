/* unit.h: a header-only unit test helper that writes TAP, for the C unit
 * tests in tests/unit (one test program per libcontainer module).
 *
 *   #include "unit.h"
 *
 *   UNIT_TEST (parses_limit)
 *   {
 *     REQUIRE (r != NULL);          // fatal: stops this test on failure
 *     CHECK (r->has_limit);         // non-fatal: the test goes on
 *     CHECK_INTEQ (r->limit, -1);
 *     CHECK_UINTEQ (r->swap, UINT64_MAX);
 *     CHECK_STREQ (err.msg, "memory.limit: expected integer");  // NULL-safe
 *     CHECK_CONTAINS (err.msg, "invalid JSON");
 *   }
 *
 *   int main (void) { return unit_main (); }
 *
 * Tests register themselves before main() and run in source order. Output:
 * "ok N - name" or "not ok N - name # file:line" (the first failed check),
 * with each failure also described on a "# ..." diagnostic line, then the
 * plan "1..N". unit_main() returns 1 if any test failed. Set UNIT_ONLY=name
 * in the environment to run one test. Include this header from exactly one
 * .c file per test program: its state is static. */
#ifndef SBX_UNIT_H
#define SBX_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_MAX_TESTS 1024

struct unit_test
{
  const char *name;
  void (*fn) (void);
  int line;
};

static struct unit_test unit_tests_[UNIT_MAX_TESTS];
static int unit_n_tests_;
static int unit_failed_;          /* current test failed */
static const char *unit_fail_at_; /* "file:line" of its first failure */
static int unit_fail_line_;

static inline void
unit_register_ (const char *name, void (*fn) (void), int line)
{
  if (unit_n_tests_ >= UNIT_MAX_TESTS)
    {
      fprintf (stderr, "unit.h: more than %d tests\n", UNIT_MAX_TESTS);
      abort ();
    }
  unit_tests_[unit_n_tests_].name = name;
  unit_tests_[unit_n_tests_].fn = fn;
  unit_tests_[unit_n_tests_].line = line;
  unit_n_tests_++;
}

#define UNIT_TEST(name)                                                       \
  static void unit_test_##name (void);                                        \
  __attribute__ ((constructor)) static void unit_register_##name (void)       \
  {                                                                           \
    unit_register_ (#name, unit_test_##name, __LINE__);                       \
  }                                                                           \
  static void unit_test_##name (void)

/* Record a failure; returns 0 so that checks can be expressions. */
static inline int
unit_fail_ (const char *file, int line, const char *fmt, const char *a,
            const char *b)
{
  printf ("# %s:%d: ", file, line);
  printf (fmt, a, b);
  printf ("\n");
  if (!unit_failed_)
    {
      unit_fail_at_ = file;
      unit_fail_line_ = line;
    }
  unit_failed_ = 1;
  return 0;
}

#define CHECK(cond)                                                           \
  ((cond) ? 1 : unit_fail_ (__FILE__, __LINE__, "CHECK (%s)%s", #cond, ""))

#define REQUIRE(cond)                                                         \
  do                                                                          \
    {                                                                         \
      if (!CHECK (cond))                                                      \
        return;                                                               \
    }                                                                         \
  while (0)

#define CHECK_STREQ(a, b)                                                     \
  do                                                                          \
    {                                                                         \
      const char *unit_a_ = (a), *unit_b_ = (b);                              \
      if (unit_a_ == NULL || unit_b_ == NULL                                  \
              ? unit_a_ != unit_b_                                            \
              : strcmp (unit_a_, unit_b_) != 0)                               \
        unit_fail_ (__FILE__, __LINE__, "got \"%s\", want \"%s\"",            \
                    unit_a_ ? unit_a_ : "(null)",                             \
                    unit_b_ ? unit_b_ : "(null)");                            \
    }                                                                         \
  while (0)

#define CHECK_CONTAINS(hay, needle)                                           \
  do                                                                          \
    {                                                                         \
      const char *unit_h_ = (hay), *unit_n_ = (needle);                       \
      if (unit_h_ == NULL || strstr (unit_h_, unit_n_) == NULL)               \
        unit_fail_ (__FILE__, __LINE__, "\"%s\" does not contain \"%s\"",     \
                    unit_h_ ? unit_h_ : "(null)", unit_n_);                   \
    }                                                                         \
  while (0)

#define UNIT_CHECK_NUM_(a, b, type, fmt)                                      \
  do                                                                          \
    {                                                                         \
      type unit_x_ = (type) (a), unit_y_ = (type) (b);                        \
      if (unit_x_ != unit_y_)                                                 \
        {                                                                     \
          char unit_sx_[32], unit_sy_[32];                                    \
          snprintf (unit_sx_, sizeof unit_sx_, fmt, unit_x_);                 \
          snprintf (unit_sy_, sizeof unit_sy_, fmt, unit_y_);                 \
          unit_fail_ (__FILE__, __LINE__, "%s: got %s", #a " == " #b,         \
                      unit_sx_);                                              \
          printf ("#   want %s\n", unit_sy_);                                 \
        }                                                                     \
    }                                                                         \
  while (0)

#define CHECK_INTEQ(a, b) UNIT_CHECK_NUM_ (a, b, long long, "%lld")
#define CHECK_UINTEQ(a, b) UNIT_CHECK_NUM_ (a, b, unsigned long long, "%llu")

static int
unit_cmp_line_ (const void *a, const void *b)
{
  return ((const struct unit_test *) a)->line
         - ((const struct unit_test *) b)->line;
}

static inline int
unit_main (void)
{
  const char *only = getenv ("UNIT_ONLY");
  int i, n = 0, failures = 0;

  qsort (unit_tests_, (size_t) unit_n_tests_, sizeof unit_tests_[0],
         unit_cmp_line_);
  for (i = 0; i < unit_n_tests_; i++)
    {
      if (only != NULL && strcmp (only, unit_tests_[i].name) != 0)
        continue;
      unit_failed_ = 0;
      fflush (stdout);
      unit_tests_[i].fn ();
      n++;
      if (unit_failed_)
        {
          failures++;
          printf ("not ok %d - %s # %s:%d\n", n, unit_tests_[i].name,
                  unit_fail_at_, unit_fail_line_);
        }
      else
        printf ("ok %d - %s\n", n, unit_tests_[i].name);
    }
  printf ("1..%d\n", n);
  if (failures > 0)
    printf ("# %d of %d tests failed\n", failures, n);
  fflush (stdout);
  return failures > 0 ? 1 : 0;
}

#endif
