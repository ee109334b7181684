/* log.h: the runtime's log lines (--log, --log-format, --debug).
 * In the container's init process, lines go to a sink instead (sync.c's
 * sync_forward_log: to the parent over the sync socket, re-emitted there),
 * so one process writes the log. log.c knows nothing of the protocol. */
#ifndef SBX_LOG_H
#define SBX_LOG_H

#include "sbx.h"

enum log_level
{
  LOG_LVL_ERROR = 0,
  LOG_LVL_WARN,
  LOG_LVL_INFO,
  LOG_LVL_DEBUG,
};

void log_msg (enum log_level lvl, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
#define log_debug(...) log_msg (LOG_LVL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg (LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg (LOG_LVL_WARN, __VA_ARGS__)

/* Write an already formatted line (used to re-emit child lines). */
void log_write (enum log_level lvl, const char *msg);
/* Hand every line that passes the level filter to FN instead of the log
 * (FN NULL: back to the log). FN must not log. */
typedef void (*log_sink_fn) (void *data, enum log_level lvl, const char *msg);
void log_set_sink (log_sink_fn fn, void *data);
int log_is_debug (void);
/* The current time as RFC 3339 with nanoseconds, UTC (runc's format for
   log lines and the state's `created`). */
void log_now_rfc3339 (char *buf, size_t len);
/* SEC.NSEC since the epoch as RFC 3339 UTC ("2026-12-04T22:53:46.870433390Z"). */
void log_format_utc (long long sec, long nsec, char *buf, size_t len);
/* The log fd, so child processes (hooks) can be kept away from it. */
int log_fd (void);

#endif
