/* hooks.c: running one hook: fork, exec with the state on stdin, collect
 * its output line by line into the runtime's log, enforce the timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "hooks.h"
#include "log.h"

extern char **environ;

bool
hooks_any (const struct spec_hooks *h, bool runtime_side)
{
  if (h == NULL)
    return false;
  if (runtime_side)
    return h->prestart.n > 0 || h->create_runtime.n > 0 || h->create_container.n > 0
           || h->start_container.n > 0;
  return h->poststart.n > 0 || h->poststop.n > 0;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
log_output (const char *kind, const char *path, char *buf, size_t *len, bool flush)
{
  char *start = buf, *nl;

  while ((nl = memchr (start, '\n', *len - (start - buf))) != NULL)
    {
      *nl = '\0';
      log_msg (LOG_LVL_INFO, "%s hook %s: %s", kind, path, start);
      start = nl + 1;
    }
  *len -= start - buf;
  memmove (buf, start, *len);
  if (flush && *len > 0)
    {
      buf[*len] = '\0';
      log_msg (LOG_LVL_INFO, "%s hook %s: %s", kind, path, buf);
      *len = 0;
    }
}

_Noreturn static void
exec_hook (const struct spec_hook *h, int in, int out, const char *dir)
{
  char *const *env = h->env.n > 0 ? h->env.v : environ;
  char *argv0[] = { h->path, NULL };

  if (dup2 (in, 0) < 0 || dup2 (out, 1) < 0 || dup2 (out, 2) < 0)
    _exit (126);
  syscall (SYS_close_range, 3, ~0U, 0);
  if (dir != NULL && chdir (dir) < 0)
    _exit (126);
  signal (SIGPIPE, SIG_DFL);
  execve (h->path, h->args.n > 0 ? h->args.v : argv0, env);
  dprintf (2, "exec %s: %s\n", h->path, strerror (errno));
  _exit (127);
}

static int
run_one (const struct spec_hook *h, const char *kind, const char *state, const char *dir,
         sbx_error_t *err)
{
  int in[2], out[2], status = 0;
  _cleanup_pid_ pid_t pid = -1;
  char buf[4096];
  size_t len = 0;
  long long deadline = h->has_timeout ? now_ms () + h->timeout * 1000LL : -1;
  size_t slen = strlen (state), off = 0;

  if (pipe2 (in, O_CLOEXEC) < 0)
    return sbx_error_errno (err, "pipe");
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      close (in[0]);
      close (in[1]);
      return sbx_error_errno (err, "pipe");
    }
  pid = fork ();
  if (pid == 0)
    exec_hook (h, in[0], out[1], dir);
  close (in[0]);
  close (out[1]);
  if (pid < 0)
    {
      close (in[1]);
      close (out[0]);
      return sbx_error_errno (err, "fork %s hook", kind);
    }
  fcntl (in[1], F_SETFL, O_NONBLOCK);
  for (;;)
    {
      struct pollfd p[2] = { { out[0], POLLIN, 0 }, { in[1], off < slen ? POLLOUT : 0, 0 } };
      int wait = deadline < 0 ? -1 : (int) (deadline - now_ms ());
      int n;
      if (deadline >= 0 && wait <= 0)
        break;
      n = poll (p, in[1] >= 0 ? 2 : 1, wait);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (in[1] >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP)))
        {
          ssize_t w = write (in[1], state + off, slen - off);
          if (w > 0)
            off += w;
          if (w < 0 || off >= slen)
            {
              close (in[1]);
              in[1] = -1;
            }
        }
      if (p[0].revents & (POLLIN | POLLHUP))
        {
          ssize_t r = read (out[0], buf + len, sizeof buf - 1 - len);
          if (r <= 0)
            {
              log_output (kind, h->path, buf, &len, true);
              close (out[0]);
              out[0] = -1;
              break;
            }
          len += r;
          log_output (kind, h->path, buf, &len, len == sizeof buf - 1);
        }
    }
  if (in[1] >= 0)
    close (in[1]);
  if (out[0] >= 0)
    {
      /* Timed out, or the output is still open: stop the hook. */
      close (out[0]);
      if (deadline >= 0 && now_ms () >= deadline)
        {
          kill (pid, SIGKILL);
          waitpid (pid, NULL, 0);
          pid = -1;
          return sbx_error_set (err, ETIMEDOUT, "%s hook %s: timed out after %d s", kind, h->path, h->timeout);
        }
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  pid = -1;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFSIGNALED (status))
    return sbx_error_set (err, ECHILD, "%s hook %s: killed by signal %d", kind, h->path, WTERMSIG (status));
  return sbx_error_set (err, ECHILD, "%s hook %s: exit status %d", kind, h->path, WEXITSTATUS (status));
}

int
hooks_run (const struct spec_hook_list *l, const char *kind, const char *state_json,
           const char *dir, sbx_error_t *err)
{
  for (size_t i = 0; i < l->n; i++)
    if (run_one (&l->v[i], kind, state_json, dir, err) < 0)
      return -1;
  return 0;
}

void
hooks_run_warn (const struct spec_hook_list *l, const char *kind, const char *state_json,
                const char *dir)
{
  for (size_t i = 0; i < l->n; i++)
    {
      sbx_error_t err = { 0 };
      if (run_one (&l->v[i], kind, state_json, dir, &err) < 0)
        log_warn ("%s", err.msg);
      sbx_error_free (&err);
    }
}
