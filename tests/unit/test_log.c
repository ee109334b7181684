/* test_log.c: log line timestamps. log_format_utc converts by hand (glibc's
 * gmtime_r reads /etc/localtime); it must agree with gmtime_r everywhere. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "unit.h"

static void
expect_like_gmtime (long long sec, long nsec)
{
  char got[64], want[64], base[32];
  time_t t = (time_t) sec;
  struct tm tm;

  gmtime_r (&t, &tm);
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (want, sizeof want, "%s.%09ldZ", base, nsec);
  log_format_utc (sec, nsec, got, sizeof got);
  CHECK_STREQ (got, want);
}

UNIT_TEST (utc_known_instants)
{
  char buf[64];

  log_format_utc (0, 0, buf, sizeof buf);
  CHECK_STREQ (buf, "1970-01-01T00:00:00.000000000Z");
  log_format_utc (951782400, 5, buf, sizeof buf); /* a leap day of a year divisible by 400 */
  CHECK_STREQ (buf, "2000-02-29T00:00:00.000000005Z");
  log_format_utc (1796424000, 123456789, buf, sizeof buf);
  CHECK_STREQ (buf, "2026-12-04T22:40:00.123456789Z");
}

UNIT_TEST (utc_agrees_with_gmtime)
{
  /* every day from 1900 to 2200, at a time of day that moves with it */
  for (long long s = -2208988800LL; s < 7258118400LL; s += 86400 + 3607)
    expect_like_gmtime (s, 999999999);
  /* the ends of days, months and years */
  for (long long s = 946684799; s < 946684799 + 400LL * 86400; s += 86400)
    expect_like_gmtime (s, 0);
}

int
main (void)
{
  return unit_main ();
}
