/* test_child.c: the order of the steps that confine a process, as create's
 * init and exec's process both take them (libcontainer/child.c). The
 * system calls go through kernel.h's seam; here every one of them only
 * records its name in a log shared with the parent, and the fake execve
 * ends the forked child. Each case then checks the log's order:
 *   bounding set drop < user switch < capset < no_new_privs < fd sweep <
 *   the config's filter < execve,
 * with the filter moving before the capability drop when there is no
 * no_new_privs (a privileged load), and before READY for a notify filter
 * (the listener fd must reach the parent: exec used to drop it). */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "child.h"
#include "config.h"
#include "error.h"
#include "kernel.h"
#include "seccomp.h"
#include "spec.h"
#include "unit.h"

#define LOG_MAX 16384
static char *klog; /* shared with the forked child */

static void
record (const char *fmt, ...)
{
  va_list ap;
  size_t n = strlen (klog);

  va_start (ap, fmt);
  vsnprintf (klog + n, LOG_MAX - n, fmt, ap);
  va_end (ap);
  n = strlen (klog);
  if (n + 1 < LOG_MAX)
    strcpy (klog + n, " ");
}

static int
f_setgroups (size_t n, const gid_t *list)
{
  (void) list;
  record ("setgroups:%zu", n);
  return 0;
}

static int
f_setresgid (gid_t r, gid_t e, gid_t s)
{
  (void) e;
  (void) s;
  record ("setresgid:%u", r);
  return 0;
}

static int
f_setresuid (uid_t r, uid_t e, uid_t s)
{
  (void) e;
  (void) s;
  record ("setresuid:%u", r);
  return 0;
}

static int
f_capset (void *h, void *d)
{
  (void) h;
  (void) d;
  record ("capset");
  return 0;
}

static int
f_prctl (int op, unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
  (void) b;
  (void) c;
  (void) d;
  switch (op)
    {
    case PR_CAPBSET_DROP:
      /* one entry for the whole sweep */
      if (strlen (klog) < 5 || strcmp (klog + strlen (klog) - 5, "bset ") != 0)
        record ("bset");
      break;
    case PR_SET_KEEPCAPS:
      record ("keepcaps:%lu", a);
      break;
    case PR_SET_NO_NEW_PRIVS:
      record ("nnp");
      break;
    case PR_CAP_AMBIENT:
      record ("ambient");
      break;
    default:
      record ("prctl:%d", op);
    }
  return 0;
}

static int
f_seccomp (unsigned int op, unsigned int flags, void *args)
{
  (void) op;
  (void) args;
  record ("seccomp%s", (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? ":listener" : "");
  /* a listener fd, as the kernel would return */
  return (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? open ("/dev/null", O_RDONLY | O_CLOEXEC) : 0;
}

static int
f_close_range (unsigned int first, unsigned int last, unsigned int flags)
{
  (void) last;
  (void) flags;
  record ("close_range:%u", first);
  return 0;
}

static int
f_execve (const char *path, char *const argv[], char *const envp[])
{
  (void) argv;
  (void) envp;
  record ("execve:%s", path);
  _exit (0);
}

static void
install_fakes (void)
{
  sbx_kernel.setgroups = f_setgroups;
  sbx_kernel.setresgid = f_setresgid;
  sbx_kernel.setresuid = f_setresuid;
  sbx_kernel.capset = f_capset;
  sbx_kernel.prctl = f_prctl;
  sbx_kernel.seccomp = f_seccomp;
  sbx_kernel.close_range = f_close_range;
  sbx_kernel.execve = f_execve;
}

static struct seccomp_filter *
filter (const char *action)
{
  char json[512];
  sbx_error_t err = { 0 };
  struct sbx_spec *spec;
  struct seccomp_filter *f = NULL;

  snprintf (json, sizeof json,
            "{\"ociVersion\":\"1.2.0\",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
            "\"syscalls\":[{\"names\":[\"mknodat\"],\"action\":\"%s\"}]}}}",
            action);
  spec = spec_parse (json, strlen (json), &err);
  if (spec == NULL || seccomp_prepare (spec->linux_->seccomp, &f, &err) < 0)
    {
      printf ("# filter: %s\n", err.msg);
      f = NULL;
    }
  spec_free (spec);
  return f;
}

struct run_case
{
  bool nnp;
  const char *action;  /* the config's filter, or NULL */
  bool policy;         /* a --policy filter too */
};

/* Run child_become + child_execve in a child; return the log, and what
   came back on the sync socket (SYNC_SECCOMP_FD frames) in *got_fd. */
static const char *
run_child (const struct run_case *rc, bool *got_fd)
{
  struct spec_process proc = { 0 };
  char *argv[] = { (char *) "/bin/true", NULL };
  char *env[4] = { (char *) "PATH=/bin", NULL, NULL, NULL };
  struct caps_sets caps = { .present = true, .bounding = 1ULL << CAP_CHOWN, .effective = 1ULL << CAP_CHOWN,
                            .permitted = 1ULL << CAP_CHOWN };
  int sv[2];
  pid_t pid;
  int status;

  klog[0] = '\0';
  *got_fd = false;
  proc.args.v = argv;
  proc.args.n = 1;
  proc.user.uid = 1000;
  proc.user.gid = 1000;
  proc.no_new_privileges = rc->nnp;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return "socketpair failed";
  pid = fork ();
  if (pid == 0)
    {
      struct child_plan plan = { .process = &proc, .env = env, .caps = &caps,
                                 .seccomp = rc->action ? filter (rc->action) : NULL,
                                 .policy_seccomp = rc->policy ? filter ("SCMP_ACT_ERRNO") : NULL,
                                 .sync_fd = sv[1], .keep_fds = 0, .hold_fd = -1 };
      sbx_error_t err = { 0 };
      char *exe = NULL;
      int null = open ("/dev/null", O_RDWR);

      /* stdio must not be pipes (child_chown_stdio would chown them) */
      dup2 (null, 0);
      dup2 (null, 1);
      install_fakes ();
      if (child_become (&plan, &exe, &err) < 0)
        {
          record ("error:%s", err.msg);
          _exit (1);
        }
      record ("READY");
      child_execve (&plan, exe);
    }
  close (sv[1]);
  waitpid (pid, &status, 0);
  {
    char buf[256];
    struct msghdr mh = { 0 };
    struct iovec iov = { buf, sizeof buf };
    union
    {
      struct cmsghdr h;
      char b[CMSG_SPACE (sizeof (int))];
    } cm;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cm.b;
    mh.msg_controllen = sizeof cm.b;
    if (recvmsg (sv[0], &mh, MSG_DONTWAIT) > 0 && mh.msg_controllen > 0)
      *got_fd = true;
  }
  close (sv[0]);
  return klog;
}

/* Position of WORD in the log (as a whole entry), or -1. */
static int
at (const char *log, const char *word)
{
  size_t n = strlen (word);
  for (const char *p = log; (p = strstr (p, word)) != NULL; p++)
    if ((p == log || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0' || p[n] == ':'))
      return (int) (p - log);
  return -1;
}

static int
count (const char *log, const char *word)
{
  int c = 0;
  for (const char *p = log; (p = strstr (p, word)) != NULL; p += strlen (word))
    c++;
  return c;
}

#define BEFORE(log, a, b)                                                     \
  do                                                                          \
    {                                                                         \
      CHECK (at (log, a) >= 0);                                               \
      CHECK (at (log, b) >= 0);                                               \
      CHECK (at (log, a) < at (log, b));                                      \
      if (!(at (log, a) >= 0 && at (log, a) < at (log, b)))                   \
        printf ("# want %s before %s in: %s\n", a, b, log);                   \
    }                                                                         \
  while (0)

UNIT_TEST (with_no_new_privs_the_filter_loads_last_before_execve)
{
  struct run_case rc = { .nnp = true, .action = "SCMP_ACT_ERRNO" };
  bool fd;
  const char *log = run_child (&rc, &fd);

  BEFORE (log, "bset", "keepcaps:1");
  BEFORE (log, "keepcaps:1", "setgroups");
  BEFORE (log, "setgroups", "setresgid");
  BEFORE (log, "setresgid", "setresuid");
  BEFORE (log, "setresuid", "capset");
  BEFORE (log, "capset", "ambient");
  BEFORE (log, "ambient", "nnp");
  BEFORE (log, "nnp", "READY");
  BEFORE (log, "READY", "close_range");
  BEFORE (log, "close_range", "seccomp");
  BEFORE (log, "seccomp", "execve");
  CHECK_INTEQ (count (log, "seccomp"), 1);
  CHECK (at (log, "error") < 0);
  CHECK (!fd);
}

UNIT_TEST (without_no_new_privs_the_filter_loads_while_still_privileged)
{
  struct run_case rc = { .nnp = false, .action = "SCMP_ACT_ERRNO" };
  bool fd;
  const char *log = run_child (&rc, &fd);

  BEFORE (log, "seccomp", "bset");
  BEFORE (log, "seccomp", "setresuid");
  BEFORE (log, "setresuid", "capset");
  BEFORE (log, "close_range", "execve");
  CHECK_INTEQ (count (log, "seccomp"), 1);
  CHECK (at (log, "nnp") < 0);
}

UNIT_TEST (the_policy_filter_loads_before_the_user_switch)
{
  struct run_case rc = { .nnp = true, .action = "SCMP_ACT_ERRNO", .policy = true };
  bool fd;
  const char *log = run_child (&rc, &fd);

  /* the policy's first, privileged; the config's last */
  BEFORE (log, "seccomp", "bset");
  BEFORE (log, "close_range", "execve");
  CHECK_INTEQ (count (log, "seccomp"), 2);
  CHECK (strstr (log, "close_range:3 seccomp execve") != NULL);
}

UNIT_TEST (a_notify_filter_loads_before_READY_and_its_fd_reaches_the_parent)
{
  struct run_case rc = { .nnp = true, .action = "SCMP_ACT_NOTIFY" };
  bool fd;
  const char *log = run_child (&rc, &fd);

  BEFORE (log, "nnp", "seccomp");
  BEFORE (log, "setresuid", "seccomp");
  BEFORE (log, "seccomp", "READY");
  CHECK (at (log, "seccomp:listener") >= 0);
  CHECK_INTEQ (count (log, "seccomp"), 1);
  CHECK (fd);
}

UNIT_TEST (without_a_filter_nothing_is_loaded)
{
  struct run_case rc = { .nnp = true };
  bool fd;
  const char *log = run_child (&rc, &fd);

  CHECK_INTEQ (count (log, "seccomp"), 0);
  BEFORE (log, "nnp", "execve");
  CHECK (strstr (log, "execve:/bin/true") != NULL);
}

int
main (void)
{
  klog = mmap (NULL, LOG_MAX, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (klog == MAP_FAILED)
    return 1;
  return unit_main ();
}
