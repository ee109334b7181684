/* error.h: the library's error value. Built once where a call fails,
 * wrapped with context on the way up ("outer: inner"), printed once by
 * src/main.c. The library never prints an error it also returns. */
#ifndef SBX_ERROR_H
#define SBX_ERROR_H

#include "sbx.h"

/* A failure of our own: errno_ classifies it (ENOENT for "does not
 * exist"), the message says everything. */
int sbx_error_set (sbx_error_t *err, int errno_, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
/* A failed system call: ": strerror(errno_)" is appended. */
int sbx_error_sys (sbx_error_t *err, int errno_, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
int sbx_error_wrap (sbx_error_t *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
/* Append a cleanup failure to an existing error instead of dropping it. */
void sbx_error_append (sbx_error_t *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
/* Shorthand: set from the current errno. */
#define sbx_error_errno(err, ...) sbx_error_sys ((err), errno, __VA_ARGS__)

#endif
