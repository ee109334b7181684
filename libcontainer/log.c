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
log_now_rfc3339 (char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  char base[32];

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf, len, "%s.%09ldZ", base, ts.tv_nsec);
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
