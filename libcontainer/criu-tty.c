/* criu-tty.c: the container's terminal across checkpoint and restore.
 *
 * create makes the pty inside the container's devpts and sends the master
 * to --console-socket; the engine holds it. criu dumps the tree, not the
 * engine, so the slave's master is missing from the dump: criu is told
 * the slave is external (`--external tty[RDEV:DEV]`, the key criu itself
 * builds from the slave's st_rdev and st_dev) and /dev/console, a bind of
 * that slave, is an external mount. On restore the old pair is gone: sbx
 * opens a new pair on the host's devpts, criu takes the new slave for the
 * old key (`--inherit-fd fd[N]:tty[RDEV:DEV]`) and binds it over
 * /dev/console, and the new master goes to --console-socket (checkpoint.c).
 * The key is recorded in the images (TTY_FILE) so restore does not guess.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/major.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "criu-tty.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"

#define TTY_FILE "sbx-tty.json"
#define CONSOLE_KEY "sbx-dev-console"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif

static bool
is_pty_slave (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && major (st->st_rdev) >= UNIX98_PTY_SLAVE_MAJOR
         && major (st->st_rdev) < UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT;
}

/* The pty slave the init was given: its stdio, else /dev/console (looked
   up inside the container's root, never following a link out of it). */
static bool
find_slave (pid_t pid, struct stat *st)
{
  char path[64];
  _cleanup_fd_ int root = -1, fd = -1;

  for (int i = 0; i < 3; i++)
    {
      snprintf (path, sizeof path, "/proc/%d/fd/%d", pid, i);
      if (stat (path, st) == 0 && is_pty_slave (st))
        return true;
    }
  snprintf (path, sizeof path, "/proc/%d/root", pid);
  root = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root >= 0)
    fd = open_in_root (root, "/dev/console", O_PATH | O_NOFOLLOW, NULL);
  return fd >= 0 && fstat (fd, st) == 0 && is_pty_slave (st);
}

/* Is something mounted on /dev/console in the init's mount namespace? */
static bool
console_mounted (pid_t pid)
{
  char path[64], point[4096];
  _cleanup_file_ FILE *f = NULL;
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;

  snprintf (path, sizeof path, "/proc/%d/mountinfo", pid);
  f = fopen (path, "re");
  while (f != NULL && getline (&line, &cap, f) > 0)
    if (sscanf (line, "%*d %*d %*s %*s %4095s", point) == 1 && strcmp (point, "/dev/console") == 0)
      return true;
  return false;
}

int
criu_tty_dump (struct criu_argv *a, pid_t pid, int imgfd, sbx_error_t *err)
{
  struct json_buf b = { 0 };
  struct stat st;
  char key[64];
  bool console;
  int r;

  if (!find_slave (pid, &st))
    {
      /* Images reused from an earlier dump must not claim a terminal. */
      if (unlinkat (imgfd, TTY_FILE, 0) < 0 && errno != ENOENT)
        return sbx_error_errno (err, "remove `%s` from the images", TTY_FILE);
      return 0;
    }
  /* criu's own spelling of the id: hex dev_t values as stat gives them. */
  snprintf (key, sizeof key, "tty[%llx:%llx]", (unsigned long long) st.st_rdev,
            (unsigned long long) st.st_dev);
  criu_argv_add (a, "--external");
  criu_argv_add (a, "%s", key);
  console = console_mounted (pid);
  if (console)
    {
      criu_argv_add (a, "--external");
      criu_argv_add (a, "mnt[/dev/console]:%s", CONSOLE_KEY);
    }
  json_open (&b, '{');
  json_kv_str (&b, "tty", key);
  if (console)
    json_kv_str (&b, "console", CONSOLE_KEY);
  json_close (&b, '}');
  if (b.failed)
    return sbx_error_set (err, ENOMEM, "describe the terminal");
  r = atomic_write_at (imgfd, TTY_FILE, b.s, b.len, 0600, err);
  json_buf_free (&b);
  return r;
}

static int
open_pair (const struct spec_process *p, struct criu_tty *t, sbx_error_t *err)
{
  int unlock = 0, n = -1;
  struct stat st, named;

  t->master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (t->master < 0)
    return sbx_error_errno (err, "open /dev/ptmx for the restored terminal");
  if (ioctl (t->master, TIOCSPTLCK, &unlock) < 0 || ioctl (t->master, TIOCGPTN, &n) < 0)
    return sbx_error_errno (err, "unlock the new pty");
  t->slave = ioctl (t->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (t->slave < 0)
    return sbx_error_errno (err, "open the new pty's slave");
  snprintf (t->name, sizeof t->name, "/dev/pts/%d", n);
  /* criu binds the slave over /dev/console by this path: it must be it. */
  if (fstat (t->slave, &st) < 0 || stat (t->name, &named) < 0 || st.st_rdev != named.st_rdev
      || st.st_dev != named.st_dev)
    return sbx_error_set (err, ENODEV, "the new pty's slave is not `%s` (is the host's devpts "
                          "mounted on /dev/pts?)", t->name);
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = p->console_height, .ws_col = p->console_width };
      if (ioctl (t->slave, TIOCSWINSZ, &ws) < 0)
        return sbx_error_errno (err, "set console size");
    }
  return 0;
}

int
criu_tty_restore (struct criu_argv *a, int imgfd, const struct spec_process *p, struct criu_tty *t,
                  sbx_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  struct spec_map m = { 0 };
  const char *key, *console;
  size_t len;
  int r = -1;

  t->master = t->slave = -1;
  t->name[0] = '\0';
  if (faccessat (imgfd, TTY_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (p->terminal)
        return sbx_error_set (err, EINVAL, "process.terminal is true but the checkpoint holds no "
                              "terminal (the checkpointed container had none)");
      return 0;
    }
  if (!p->terminal)
    return sbx_error_set (err, EINVAL, "the checkpoint holds a terminal but process.terminal is "
                          "false: set it and pass --console-socket");
  if (read_file_at (imgfd, TTY_FILE, &buf, &len, 4096, err) < 0
      || json_parse_flat (buf, len, &m, err) < 0)
    return sbx_error_wrap (err, "images: %s", TTY_FILE);
  key = json_map_get (&m, "tty");
  console = json_map_get (&m, "console");
  if (key == NULL || strncmp (key, "tty[", 4) != 0)
    {
      sbx_error_set (err, EINVAL, "images: %s: no tty key", TTY_FILE);
      goto out;
    }
  if (open_pair (p, t, err) < 0)
    goto out;
  criu_argv_add (a, "--inherit-fd");
  criu_argv_add (a, "fd[%d]:%s", t->slave, key);
  if (console != NULL)
    {
      criu_argv_add (a, "--external");
      criu_argv_add (a, "mnt[%s]:%s", console, t->name);
    }
  r = 0;
out:
  json_map_free (&m);
  if (r < 0)
    criu_tty_close (t);
  return r;
}

void
criu_tty_close (struct criu_tty *t)
{
  if (t->master >= 0)
    close (t->master);
  if (t->slave >= 0)
    close (t->slave);
  t->master = t->slave = -1;
}
