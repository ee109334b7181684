/* probe: print facts about the process it runs as, for the integration tests.
 *
 * Built static (gcc -static -O2 -o probe probe.c) and copied into the test
 * rootfs as /bin/probe by tests/helpers/mkrootfs.sh.  Each subcommand prints
 * one fact per line on stdout and exits 0 unless stated otherwise; usage
 * errors exit 2.
 *
 *   probe fds               each open fd: "FD TARGET" (readlink of
 *                           /proc/self/fd/FD), ascending; the fd used to
 *                           read /proc/self/fd is left out
 *   probe ids               "uid=U gid=G euid=U egid=G groups=A,B" (groups
 *                           is empty when there are no supplementary groups)
 *   probe umask             the umask in octal, 4 digits ("0022")
 *   probe cwd               getcwd()
 *   probe write PATH        open(PATH, O_WRONLY|O_CREAT, 0644): prints "ok"
 *                           or the errno name ("EROFS", "EACCES", ...)
 *   probe read PATH         open(PATH, O_RDONLY): "ok" or the errno name
 *   probe mknod PATH c|b MAJ MIN
 *                           mknod(PATH, 0666): "ok" or the errno name
 *   probe isatty            "0 yes|no", "1 ...", "2 ..." (isatty on 0,1,2)
 *   probe ttyname           ttyname(0) or "none"
 *   probe signal-wait       blocks the catchable signals, prints "ready",
 *                           waits for one and prints its name ("SIGTERM"),
 *                           exits 0
 *   probe pidns             "pid=P ppid=Q ns=pid:[INODE]"
 *   probe ns NAME...        readlink /proc/self/ns/NAME for each NAME
 *   probe env NAME          the value of NAME or "unset"
 *   probe exit N            exits with status N
 *   probe socket FAM TYPE PROTO  the raw socket(2) syscall with these
 *                           64-bit numbers (decimal or 0x): "ok" or the errno
 *                           name (high bits test filters that compare 64 bits)
 *
 * Output is flushed before exit; nothing goes to stderr except usage errors.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

static int
usage (void)
{
  fputs ("usage: probe fds|ids|umask|cwd|isatty|ttyname|signal-wait|pidns\n"
         "       probe write|read PATH | mknod PATH c|b MAJ MIN\n"
         "       probe ns NAME... | env NAME | exit N\n",
         stderr);
  return 2;
}

static const char *
errname (int e)
{
  const char *n = strerrorname_np (e);
  static char buf[32];
  if (n)
    return n;
  snprintf (buf, sizeof buf, "E%d", e);
  return buf;
}

static int
cmd_fds (void)
{
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *de;
  int self, n = 0, cap = 64, i, j;
  int *fds;

  if (!d)
    {
      printf ("error %s\n", errname (errno));
      return 1;
    }
  self = dirfd (d);
  fds = malloc (cap * sizeof *fds);
  while ((de = readdir (d)))
    {
      int fd;
      if (de->d_name[0] == '.')
        continue;
      fd = atoi (de->d_name);
      if (fd == self)
        continue;
      if (n == cap)
        fds = realloc (fds, (cap *= 2) * sizeof *fds);
      fds[n++] = fd;
    }
  for (i = 1; i < n; i++) /* insertion sort, n is small */
    for (j = i; j > 0 && fds[j - 1] > fds[j]; j--)
      {
        int t = fds[j];
        fds[j] = fds[j - 1];
        fds[j - 1] = t;
      }
  for (i = 0; i < n; i++)
    {
      char path[64], target[PATH_MAX];
      ssize_t len;
      snprintf (path, sizeof path, "/proc/self/fd/%d", fds[i]);
      len = readlink (path, target, sizeof target - 1);
      if (len < 0)
        snprintf (target, sizeof target, "?%s", errname (errno));
      else
        target[len] = '\0';
      printf ("%d %s\n", fds[i], target);
    }
  closedir (d);
  free (fds);
  return 0;
}

static int
cmd_ids (void)
{
  gid_t groups[NGROUPS_MAX];
  int n = getgroups (NGROUPS_MAX, groups), i;

  printf ("uid=%u gid=%u euid=%u egid=%u groups=", (unsigned) getuid (),
          (unsigned) getgid (), (unsigned) geteuid (), (unsigned) getegid ());
  for (i = 0; i < n; i++)
    printf ("%s%u", i ? "," : "", (unsigned) groups[i]);
  putchar ('\n');
  return 0;
}

static int
cmd_umask (void)
{
  mode_t m = umask (0);
  umask (m);
  printf ("%04o\n", (unsigned) m);
  return 0;
}

static int
cmd_cwd (void)
{
  char buf[PATH_MAX];
  if (!getcwd (buf, sizeof buf))
    {
      printf ("error %s\n", errname (errno));
      return 1;
    }
  puts (buf);
  return 0;
}

static int
cmd_open (const char *path, int flags)
{
  int fd = open (path, flags | O_CLOEXEC, 0644);
  if (fd < 0)
    puts (errname (errno));
  else
    {
      puts ("ok");
      close (fd);
    }
  return 0;
}

static int
cmd_mknod (int argc, char **argv)
{
  mode_t type;
  if (argc != 6)
    return usage ();
  if (strcmp (argv[3], "c") == 0)
    type = S_IFCHR;
  else if (strcmp (argv[3], "b") == 0)
    type = S_IFBLK;
  else
    return usage ();
  if (mknod (argv[2], type | 0666,
             makedev (strtoul (argv[4], NULL, 0), strtoul (argv[5], NULL, 0)))
      < 0)
    puts (errname (errno));
  else
    puts ("ok");
  return 0;
}

static int
cmd_isatty (void)
{
  int fd;
  for (fd = 0; fd <= 2; fd++)
    printf ("%d %s\n", fd, isatty (fd) ? "yes" : "no");
  return 0;
}

static int
cmd_ttyname (void)
{
  const char *n = ttyname (0);
  puts (n ? n : "none");
  return 0;
}

static int
cmd_signal_wait (void)
{
  static const int sigs[] = { SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2,
                              SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGCONT,
                              SIGTSTP, SIGTTIN, SIGTTOU, SIGURG,  SIGWINCH };
  sigset_t set;
  siginfo_t si;
  size_t i;
  int s;

  sigemptyset (&set);
  for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaddset (&set, sigs[i]);
  sigprocmask (SIG_BLOCK, &set, NULL);
  puts ("ready");
  fflush (stdout);
  do
    s = sigwaitinfo (&set, &si);
  while (s < 0 && errno == EINTR);
  if (s < 0)
    {
      printf ("error %s\n", errname (errno));
      return 1;
    }
  printf ("SIG%s\n", sigabbrev_np (s) ? sigabbrev_np (s) : "?");
  return 0;
}

static int
print_link (const char *path)
{
  char target[PATH_MAX];
  ssize_t len = readlink (path, target, sizeof target - 1);
  if (len < 0)
    {
      printf ("%s\n", errname (errno));
      return 1;
    }
  target[len] = '\0';
  puts (target);
  return 0;
}

static int
cmd_pidns (void)
{
  printf ("pid=%d ppid=%d ns=", (int) getpid (), (int) getppid ());
  return print_link ("/proc/self/ns/pid");
}

static int
cmd_ns (int argc, char **argv)
{
  int i, rc = 0;
  for (i = 2; i < argc; i++)
    {
      char path[PATH_MAX];
      snprintf (path, sizeof path, "/proc/self/ns/%s", argv[i]);
      rc |= print_link (path);
    }
  return rc;
}

int
main (int argc, char **argv)
{
  const char *c = argc > 1 ? argv[1] : "";
  int rc;

  if (strcmp (c, "fds") == 0)
    rc = cmd_fds ();
  else if (strcmp (c, "ids") == 0)
    rc = cmd_ids ();
  else if (strcmp (c, "umask") == 0)
    rc = cmd_umask ();
  else if (strcmp (c, "cwd") == 0)
    rc = cmd_cwd ();
  else if (strcmp (c, "write") == 0 && argc == 3)
    rc = cmd_open (argv[2], O_WRONLY | O_CREAT);
  else if (strcmp (c, "read") == 0 && argc == 3)
    rc = cmd_open (argv[2], O_RDONLY);
  else if (strcmp (c, "mknod") == 0)
    rc = cmd_mknod (argc, argv);
  else if (strcmp (c, "isatty") == 0)
    rc = cmd_isatty ();
  else if (strcmp (c, "ttyname") == 0)
    rc = cmd_ttyname ();
  else if (strcmp (c, "signal-wait") == 0)
    rc = cmd_signal_wait ();
  else if (strcmp (c, "pidns") == 0)
    rc = cmd_pidns ();
  else if (strcmp (c, "ns") == 0 && argc > 2)
    rc = cmd_ns (argc, argv);
  else if (strcmp (c, "env") == 0 && argc == 3)
    {
      const char *v = getenv (argv[2]);
      puts (v ? v : "unset");
      rc = 0;
    }
  else if (strcmp (c, "exit") == 0 && argc == 3)
    rc = atoi (argv[2]);
  else if (strcmp (c, "socket") == 0 && argc == 5)
    {
      long fd = syscall (SYS_socket, strtoull (argv[2], NULL, 0), strtoull (argv[3], NULL, 0),
                         strtoull (argv[4], NULL, 0));
      puts (fd >= 0 ? "ok" : strerrorname_np (errno));
      rc = 0;
    }
  else
    return usage ();
  fflush (stdout);
  return rc;
}
