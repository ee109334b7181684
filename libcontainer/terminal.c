/* terminal.c: pty set-up in the container and hand-off to the engine. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fsutil.h"
#include "terminal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif

/* Bind the slave over /dev/console, created inside the root. The image's
   /dev/console is replaced, never followed: a symlink there to
   /proc/sys/kernel/core_pattern would otherwise get the pty mounted on
   that file (CVE-2025-52565). */
static int
bind_console (int slave, sbx_error_t *err)
{
  _cleanup_fd_ int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_fd_ int tree = -1, target = -1;

  if (rootfd < 0)
    return sbx_error_errno (err, "open /");
  tree = open_tree (slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return sbx_error_errno (err, "clone pty slave mount");
  target = mkfile_replace_in_root (rootfd, "/dev/console", 0600, err);
  if (target < 0)
    return -1;
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return sbx_error_errno (err, "mount the pty on /dev/console");
  return 0;
}

int
terminal_setup (const struct spec_process *p, bool console, sbx_error_t *err)
{
  _cleanup_fd_ int master = -1, slave = -1;
  struct statfs sfs;
  int unlock = 0;

  master = open ("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
  if (master < 0)
    return sbx_error_errno (err, "open /dev/pts/ptmx (is devpts mounted at /dev/pts?)");
  if (fstatfs (master, &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC)
    return sbx_error_set (err, EPERM, "/dev/pts/ptmx is not on a devpts filesystem");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return sbx_error_errno (err, "unlock pty");
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return sbx_error_errno (err, "open pty peer");
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = p->console_height, .ws_col = p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return sbx_error_errno (err, "set console size");
    }
  if (console && bind_console (slave, err) < 0)
    return -1;
  if (setsid () < 0 && errno != EPERM)
    return sbx_error_errno (err, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return sbx_error_errno (err, "set controlling tty");
  for (int i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return sbx_error_errno (err, "dup2 pty to fd %d", i);
  return take_fd (&master);
}

static int
copy_once (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n <= 0)
    return n < 0 && (errno == EINTR || errno == EAGAIN) ? 1 : -1;
  for (ssize_t off = 0; off < n;)
    {
      ssize_t w = write (to, buf + off, n - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      off += w;
    }
  return 1;
}

int
terminal_proxy (int master, int stop_fd, sbx_error_t *err)
{
  struct termios saved, raw;
  int is_tty = tcgetattr (0, &saved) == 0;
  struct pollfd pfd[3] = { { master, POLLIN, 0 }, { 0, POLLIN, 0 }, { stop_fd, POLLIN, 0 } };

  if (is_tty)
    {
      struct winsize ws;
      raw = saved;
      cfmakeraw (&raw);
      tcsetattr (0, TCSANOW, &raw);
      if (ioctl (0, TIOCGWINSZ, &ws) == 0)
        ioctl (master, TIOCSWINSZ, &ws);
    }
  for (;;)
    {
      if (poll (pfd, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          sbx_error_errno (err, "poll");
          break;
        }
      if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
        if (copy_once (master, 1) < 0)
          break;
      if (pfd[1].revents & (POLLIN | POLLHUP))
        if (copy_once (0, master) < 0)
          pfd[1].fd = -1; /* stdin closed: keep reading output */
      if (pfd[2].revents)
        {
          /* The container exited: drain what is left, then stop. */
          int fl = fcntl (master, F_GETFL);
          fcntl (master, F_SETFL, fl | O_NONBLOCK);
          while (copy_once (master, 1) > 0)
            {
              struct pollfd q = { master, POLLIN, 0 };
              if (poll (&q, 1, 0) <= 0)
                break;
            }
          break;
        }
    }
  if (is_tty)
    tcsetattr (0, TCSANOW, &saved);
  return 0;
}
