/* foreground.c: signal forwarding and waiting for `run` and `exec`. The
 * handler only calls pidfd_send_signal (async-signal-safe); the pidfd pins
 * the process, so a signal never reaches a reused pid. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "foreground.h"
#include "terminal.h"

static int target_pidfd = -1;

static void
forward (int signo)
{
  int saved = errno;
  syscall (SYS_pidfd_send_signal, target_pidfd, signo, NULL, 0);
  errno = saved;
}

void
foreground_forward_signals (int pidfd)
{
  struct sigaction sa = { .sa_handler = forward };
  static const int skip[] = { SIGKILL, SIGSTOP, SIGCHLD, SIGWINCH, SIGSEGV, SIGBUS,
                              SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS, SIGURG };

  target_pidfd = pidfd;
  sigemptyset (&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int s = 1; s < 32; s++)
    {
      bool skipped = false;
      for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        skipped |= (skip[i] == s);
      if (!skipped)
        sigaction (s, &sa, NULL);
    }
}

int
foreground_wait (pid_t pid, int pidfd, int master_fd)
{
  int status = 0;

  if (master_fd >= 0)
    {
      sbx_error_t err = { 0 };
      terminal_proxy (master_fd, pidfd, &err);
      sbx_error_free (&err);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return 255;
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 255;
}
