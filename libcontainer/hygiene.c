/* hygiene.c: a process that enters a container holds nothing of its
 * caller. A container process with CAP_SYS_PTRACE can attach to anything
 * that joins its pid namespace (non-dumpable does not stop a tracer that
 * has the capability in the initial user namespace), and read its fds and
 * memory. So create, run and exec close what they inherited before they
 * open anything, the init closes all it does not need as its first act,
 * and both wipe the caller's environment from their memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hygiene.h"

static void
close_range_ (unsigned int lo, unsigned int hi)
{
  if (lo > hi)
    return;
  if (syscall (SYS_close_range, lo, hi, 0) == 0)
    return;
  /* Before Linux 5.9: one by one, up to the fd limit. */
  {
    long max = sysconf (_SC_OPEN_MAX);
    unsigned int top = max > 0 && (unsigned long) max - 1 < hi ? (unsigned int) max - 1 : hi;
    for (unsigned int fd = lo; fd <= top && fd < (1U << 20); fd++)
      close ((int) fd);
  }
}

static int
cmp_int (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

void
hygiene_close_except (int from, const int *keep, size_t n)
{
  int buf[64], *sorted = buf;
  unsigned int lo = (unsigned int) from;

  /* No allocation for the common case: this runs in a fresh child. */
  if (n > sizeof buf / sizeof buf[0] && (sorted = malloc (n * sizeof *sorted)) == NULL)
    {
      sorted = buf;
      n = sizeof buf / sizeof buf[0];
    }
  memcpy (sorted, keep, n * sizeof *keep);
  qsort (sorted, n, sizeof *sorted, cmp_int);
  for (size_t i = 0; i < n; i++)
    {
      if (sorted[i] < from || (unsigned int) sorted[i] < lo)
        continue;
      if ((unsigned int) sorted[i] > lo)
        close_range_ (lo, (unsigned int) sorted[i] - 1);
      lo = (unsigned int) sorted[i] + 1;
    }
  if (sorted != buf)
    free (sorted);
  close_range_ (lo, ~0U);
}

unsigned int
hygiene_listen_fds (void)
{
  const char *s = getenv ("LISTEN_FDS");
  char *end;
  unsigned long n;

  if (s == NULL || s[0] == '\0')
    return 0;
  n = strtoul (s, &end, 10);
  if (*end != '\0' || n > 4096)
    return 0;
  return (unsigned int) n;
}

void
hygiene_close_inherited (unsigned int keep, int spare)
{
  unsigned int listen = hygiene_listen_fds ();

  if (listen > keep)
    keep = listen;
  hygiene_close_except (3 + (int) keep, &spare, spare >= 0 ? 1 : 0);
}

/* env_start and env_end, fields 50 and 51 of /proc/self/stat: the memory
   /proc/PID/environ shows. Counted after the ")" that ends the command
   name, which may itself hold spaces and parentheses. */
static int
env_area (uintptr_t *start, uintptr_t *end)
{
  char buf[2048];
  ssize_t n;
  int fd = open ("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  char *p;
  int field = 2;

  if (fd < 0)
    return -1;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  p = strrchr (buf, ')');
  if (p == NULL)
    return -1;
  p++;
  while (*p != '\0' && field < 50)
    if (*p++ == ' ')
      field++;
  /* p is at the start of field 50 (the space before 3 was field 2's end) */
  errno = 0;
  *start = (uintptr_t) strtoull (p, &p, 10);
  *end = (uintptr_t) strtoull (p, &p, 10);
  if (errno != 0 || *start == 0 || *end <= *start || *end - *start > (64U << 20))
    return -1;
  return 0;
}

/* The same area as execve left it: the strings, one after the other,
   environ[] pointing at them in order. Noted before main, while nothing
   has changed environ, so the init (in a fresh pid and mount namespace,
   where reading /proc costs most) does not read /proc/self/stat for it.
   Strings not in one block leave it to /proc. */
static uintptr_t exec_env_start, exec_env_end;

__attribute__ ((constructor)) static void
note_exec_env (void)
{
  extern char **environ;
  uintptr_t start, end;

  if (environ == NULL || environ[0] == NULL)
    return;
  start = end = (uintptr_t) environ[0];
  for (size_t i = 0; environ[i] != NULL; i++)
    {
      if ((uintptr_t) environ[i] != end)
        return;
      end += strlen (environ[i]) + 1;
    }
  exec_env_start = start;
  exec_env_end = end;
}

void
hygiene_wipe_environ (void)
{
  extern char **environ;
  uintptr_t start = exec_env_start, end = exec_env_end;

  if (end > start || env_area (&start, &end) == 0)
    memset ((void *) start, 0, end - start);
  /* Strings setenv() put on the heap are not in that area. */
  if (environ != NULL)
    for (size_t i = 0; environ[i] != NULL; i++)
      memset (environ[i], 0, strlen (environ[i]));
  /* What still reads environ (a hook without an env) gets an empty one. */
  static char *empty[] = { NULL };
  environ = empty;
}
