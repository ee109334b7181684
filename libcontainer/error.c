/* error.c: building, wrapping and freeing struct sbx_error. Formatting for
 * the user (text or json) lives in log.c. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static char *
vformat (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    return NULL;
  return s;
}

static int
verror (sbx_error_t *err, int errno_, bool with_strerror, const char *fmt, va_list ap)
{
  char *msg;

  if (err == NULL)
    return -1;
  msg = vformat (fmt, ap);
  /* An errno becomes the innermost part of the message. */
  if (msg != NULL && errno_ != 0 && with_strerror)
    {
      char *full = NULL;
      /* Lower-case like Go's errno texts: engines match phrases such as
         "no such file or directory" and "permission denied" exactly. */
      char reason[128];
      snprintf (reason, sizeof reason, "%s", strerror (errno_));
      reason[0] = (char) tolower ((unsigned char) reason[0]);
      if (asprintf (&full, "%s: %s", msg, reason) >= 0)
        {
          free (msg);
          msg = full;
        }
    }
  free (err->msg);
  err->msg = msg;
  err->errno_ = errno_;
  return -1;
}

int
sbx_error_set (sbx_error_t *err, int errno_, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  verror (err, errno_, false, fmt, ap);
  va_end (ap);
  return -1;
}

int
sbx_error_sys (sbx_error_t *err, int errno_, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  verror (err, errno_, true, fmt, ap);
  va_end (ap);
  return -1;
}

int
sbx_error_wrap (sbx_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *outer, *full = NULL;

  if (err == NULL)
    return -1;
  va_start (ap, fmt);
  outer = vformat (fmt, ap);
  va_end (ap);
  if (outer == NULL)
    return -1;
  if (err->msg == NULL)
    {
      err->msg = outer;
      return -1;
    }
  if (asprintf (&full, "%s: %s", outer, err->msg) >= 0)
    {
      free (err->msg);
      err->msg = full;
    }
  free (outer);
  return -1;
}

void
sbx_error_append (sbx_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *extra, *full = NULL;

  if (err == NULL)
    return;
  va_start (ap, fmt);
  extra = vformat (fmt, ap);
  va_end (ap);
  if (extra == NULL)
    return;
  if (err->msg == NULL)
    {
      err->msg = extra;
      return;
    }
  if (asprintf (&full, "%s (and then: %s)", err->msg, extra) >= 0)
    {
      free (err->msg);
      err->msg = full;
    }
  free (extra);
}

void
sbx_error_free (sbx_error_t *err)
{
  if (err == NULL)
    return;
  free (err->msg);
  err->msg = NULL;
  err->errno_ = 0;
}
