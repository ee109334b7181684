/* log.c: formats log lines as text (logrus style) or json lines, the two
 * shapes engines parse: containerd reads the last "error" line of the
 * --log file; podman matches phrases in stderr text. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "log.h"

static int log_fd_ = 2;
static enum sbx_log_format log_format_ = SBX_LOG_TEXT;
static int log_debug_ = 0;
static log_sink_fn sink_;
static void *sink_data_;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int
sbx_log_init (struct sbx_context *ctx, sbx_error_t *err)
{
  log_format_ = ctx->log_format;
  log_debug_ = ctx->debug;
  if (ctx->log_path != NULL && ctx->log_path[0] != '\0')
    {
      int fd = open (ctx->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0)
        return sbx_error_errno (err, "open log file `%s`", ctx->log_path);
      log_fd_ = fd;
    }
  return 0;
}

int
log_is_debug (void)
{
  return log_debug_;
}

int
log_fd (void)
{
  return log_fd_;
}

void
log_set_sink (log_sink_fn fn, void *data)
{
  sink_ = fn;
  sink_data_ = data;
}

void
log_format_utc (long long sec, long nsec, char *buf, size_t len)
{
  long long days, secs, era, doe, yoe, doy, mp, y;
  unsigned m, d;

  /* By hand: glibc's gmtime_r and strftime read /etc/localtime (seven
     syscalls on every create) even for UTC. Days to a civil date as in
     H. Hinnant's "chrono-compatible low-level date algorithms". */
  days = sec / 86400;
  secs = sec % 86400;
  if (secs < 0)
    {
      secs += 86400;
      days--;
    }
  days += 719468;
  era = (days >= 0 ? days : days - 146096) / 146097;
  doe = days - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  d = (unsigned) (doy - (153 * mp + 2) / 5 + 1);
  m = (unsigned) (mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2);
  snprintf (buf, len, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09ldZ", y, m, d, secs / 3600, secs / 60 % 60, secs % 60,
            nsec);
}

void
log_now_rfc3339 (char *buf, size_t len)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  log_format_utc (ts.tv_sec, ts.tv_nsec, buf, len);
}

/* JSON string escaping for the json log format. */
static void
append_escaped (char *out, size_t cap, size_t *pos, const char *s, int quote_json)
{
  for (; *s != '\0' && *pos + 7 < cap; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        {
          out[(*pos)++] = '\\';
          out[(*pos)++] = c;
        }
      else if (c == '\n')
        {
          out[(*pos)++] = '\\';
          out[(*pos)++] = 'n';
        }
      else if (c < 0x20)
        *pos += snprintf (out + *pos, cap - *pos, quote_json ? "\\u%04x" : "\\x%02x", c);
      else
        out[(*pos)++] = c;
    }
  out[*pos] = '\0';
}

static void
emit (int fd, enum sbx_log_format fmt, enum log_level lvl, const char *msg)
{
  char line[8192], ts[64];
  size_t pos = 0;

  log_now_rfc3339 (ts, sizeof ts);
  if (fmt == SBX_LOG_TEXT && fd == 2)
    {
      /* A person reads stderr: plain lines, no quoting. */
      pos = snprintf (line, sizeof line, "sbx: %s%s%s\n", lvl == LOG_LVL_ERROR ? "" : level_names[lvl],
                      lvl == LOG_LVL_ERROR ? "" : ": ", msg);
    }
  else if (fmt == SBX_LOG_JSON)
    {
      pos = snprintf (line, sizeof line, "{\"level\":\"%s\",\"msg\":\"", level_names[lvl]);
      append_escaped (line, sizeof line - 32 - strlen (ts), &pos, msg, 1);
      pos += snprintf (line + pos, sizeof line - pos, "\",\"time\":\"%s\"}\n", ts);
    }
  else
    {
      pos = snprintf (line, sizeof line, "time=\"%s\" level=%s msg=\"", ts, level_names[lvl]);
      append_escaped (line, sizeof line - 4, &pos, msg, 0);
      pos += snprintf (line + pos, sizeof line - pos, "\"\n");
    }
  if (pos >= sizeof line)
    pos = sizeof line - 1;
  while (write (fd, line, pos) < 0 && errno == EINTR)
    ;
}

void
log_write (enum log_level lvl, const char *msg)
{
  if (lvl == LOG_LVL_DEBUG && !log_debug_)
    return;
  if (sink_ != NULL)
    {
      sink_ (sink_data_, lvl, msg);
      return;
    }
  emit (log_fd_, log_format_, lvl, msg);
}

void
log_msg (enum log_level lvl, const char *fmt, ...)
{
  va_list ap;
  char buf[4096];

  if (lvl == LOG_LVL_DEBUG && !log_debug_)
    return;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  log_write (lvl, buf);
}

void
sbx_log_error (struct sbx_context *ctx, const sbx_error_t *err)
{
  const char *msg = (err != NULL && err->msg != NULL) ? err->msg : "unknown error";

  emit (log_fd_, log_format_, LOG_LVL_ERROR, msg);
  /* Like runc: when the log goes to a file, stderr still gets the plain
     message, which is what podman and people read. */
  if (log_fd_ != 2)
    dprintf (2, "sbx: %s\n", msg);
  (void) ctx;
}
