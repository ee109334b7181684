/* seccomp.c: linux.seccomp -> a libseccomp filter. seccomp_prepare checks
 * every name of the config, builds the filter and compiles it to BPF in the
 * parent, before any fork; the container init calls seccomp_install (one
 * seccomp(2) call, no allocation) as its very last step before execve. Setting no_new_privs and sending the SCMP_ACT_NOTIFY
 * listener fd to listenerPath are left to the caller. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

/* libcontainer/ is on the include path, so <seccomp.h> finds our own
   header first; with this macro defined it pulls in libseccomp's through
   #include_next. */
#define SBX_WANT_LIBSECCOMP 1
#include <seccomp.h>
#include "seccomp.h"

#include "cleanup.h"
#include "error.h"
#include "kernel.h"
#include "log.h"
#include "spec.h"

#define P "linux.seccomp"

struct seccomp_filter
{
  scmp_filter_ctx ctx;
  bool notify;                  /* some rule is SCMP_ACT_NOTIFY */
  /* The program, compiled in the parent: the init only hands it to the
     kernel, so libseccomp's allocations are not charged to the container's
     memory cgroup (a 512 KiB container must still start). */
  struct sock_filter *bpf;
  unsigned short len;
  unsigned int kflags;          /* SECCOMP_FILTER_FLAG_* */
};

enum act_kind
{
  ACT_PLAIN,
  ACT_ERRNO,                    /* takes errnoRet (default EPERM) */
  ACT_NOTIFY,
};

/* The name tables are X-macros so that the lookup tables and the
   NULL-terminated lists for `sbx features` cannot drift apart. The last
   column is the seccomp_api_get() level at which libseccomp and the
   running kernel support the action (or flag, below). */
#define ACTIONS(X)                                                            \
  X (KILL, SCMP_ACT_KILL, ACT_PLAIN, 1) /* the thread, as libseccomp says */  \
  X (KILL_PROCESS, SCMP_ACT_KILL_PROCESS, ACT_PLAIN, 3)                       \
  X (KILL_THREAD, SCMP_ACT_KILL_THREAD, ACT_PLAIN, 1)                         \
  X (TRAP, SCMP_ACT_TRAP, ACT_PLAIN, 1)                                       \
  X (ERRNO, SCMP_ACT_ERRNO (0), ACT_ERRNO, 1)                                 \
  X (TRACE, SCMP_ACT_TRACE (0), ACT_ERRNO, 1) /* errnoRet: the trace msg */   \
  X (ALLOW, SCMP_ACT_ALLOW, ACT_PLAIN, 1)                                     \
  X (LOG, SCMP_ACT_LOG, ACT_PLAIN, 3)                                         \
  X (NOTIFY, SCMP_ACT_NOTIFY, ACT_NOTIFY, 5)

#define OPERATORS(X) X (NE) X (LT) X (LE) X (EQ) X (GE) X (GT) X (MASKED_EQ)

/* Every architecture libseccomp 2.5 knows, plus the 2.6 ones when the
   headers have them. */
#ifdef SCMP_ARCH_LOONGARCH64
#define ARCH_LOONGARCH64(X) X (LOONGARCH64)
#else
#define ARCH_LOONGARCH64(X)
#endif
#ifdef SCMP_ARCH_M68K
#define ARCH_M68K(X) X (M68K)
#else
#define ARCH_M68K(X)
#endif
#if defined SCMP_ARCH_SH && defined SCMP_ARCH_SHEB
#define ARCH_SH(X) X (SH) X (SHEB)
#else
#define ARCH_SH(X)
#endif
#define ARCHS(X)                                                              \
  X (X86) X (X86_64) X (X32) X (ARM) X (AARCH64) X (MIPS) X (MIPS64)          \
  X (MIPS64N32) X (MIPSEL) X (MIPSEL64) X (MIPSEL64N32) X (PPC) X (PPC64)     \
  X (PPC64LE) X (S390) X (S390X) X (PARISC) X (PARISC64) X (RISCV64)          \
  ARCH_LOONGARCH64 (X) ARCH_M68K (X) ARCH_SH (X)

/* Flags go to the kernel with the program (sbx loads the BPF itself), so a
   flag is supported when the running kernel knows it, whatever libseccomp's
   version; an unknown one is skipped with a warning, as runc does: it only
   tunes the filter. */
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#define FLAGS(X)                                                              \
  X (TSYNC) X (LOG) X (SPEC_ALLOW) X (WAIT_KILLABLE_RECV)

struct action
{
  const char *name;
  uint32_t value;
  enum act_kind kind;
  unsigned int api;
};
struct named
{
  const char *name;
  int value;
};
struct flag
{
  const char *name;
  unsigned int kflag;           /* SECCOMP_FILTER_FLAG_* */
};
#define ACTION_ENTRY(n, v, k, l) { "SCMP_ACT_" #n, v, k, l },
#define ACTION_NAME(n, v, k, l) "SCMP_ACT_" #n,
#define OP_ENTRY(n) { "SCMP_CMP_" #n, SCMP_CMP_##n },
#define OP_NAME(n) "SCMP_CMP_" #n,
#define ARCH_ENTRY(n) { "SCMP_ARCH_" #n, (int) SCMP_ARCH_##n },
#define ARCH_NAME(n) "SCMP_ARCH_" #n,
#define FLAG_ENTRY(n) { "SECCOMP_FILTER_FLAG_" #n, SECCOMP_FILTER_FLAG_##n },
#define FLAG_NAME(n) "SECCOMP_FILTER_FLAG_" #n,

static const struct action actions[] = { ACTIONS (ACTION_ENTRY) };
static const struct named operators[] = { OPERATORS (OP_ENTRY) };
static const struct named archs[] = { ARCHS (ARCH_ENTRY) };
static const struct flag flags[] = { FLAGS (FLAG_ENTRY) };

const char *const seccomp_known_actions[] = { ACTIONS (ACTION_NAME) NULL };
const char *const seccomp_known_operators[] = { OPERATORS (OP_NAME) NULL };
const char *const seccomp_known_archs[] = { ARCHS (ARCH_NAME) NULL };
const char *const seccomp_known_flags[] = { FLAGS (FLAG_NAME) NULL };

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* The kernel checks the flags before the program pointer: EFAULT for a
   NULL program means it knows them. WAIT_KILLABLE_RECV is only valid with
   NEW_LISTENER. */
static bool
flag_supported (const struct flag *fl)
{
  unsigned int f = fl->kflag;

  if (f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, f, NULL) < 0 && errno == EFAULT;
}

const char *const *
seccomp_supported_flags (void)
{
  static const char *v[N_OF (flags) + 1];
  size_t n = 0;

  for (size_t i = 0; i < N_OF (flags); i++)
    if (flag_supported (&flags[i]))
      v[n++] = flags[i].name;
  v[n] = NULL;
  return v;
}

/* These tables have a handful of entries each: a linear scan costs
   nothing next to building the filter. Syscall names go through
   libseccomp's own hashed lookup. */
static const struct named *
find_named (const struct named *t, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (t[i].name, name) == 0)
      return &t[i];
  return NULL;
}

/* action + errnoRet -> the libseccomp action value. `path` names the
   action field, `epath` the errnoRet one. */
static int
parse_action (const char *name, bool has_errno, uint32_t errno_ret,
              const char *path, const char *epath, uint32_t *out,
              enum act_kind *kind, sbx_error_t *err)
{
  const struct action *a = NULL;

  for (size_t i = 0; i < N_OF (actions) && a == NULL; i++)
    if (strcmp (actions[i].name, name) == 0)
      a = &actions[i];
  if (a == NULL)
    return sbx_error_set (err, EINVAL, "%s: unknown action \"%s\"", path, name);
  if (seccomp_api_get () < a->api)
    return sbx_error_set (err, ENOTSUP, "%s: %s not supported by this kernel "
                          "or libseccomp", path, name);
  *kind = a->kind;
  *out = a->value;
  if (a->kind != ACT_ERRNO)
    {
      /* The spec: an errno on an action that has none MUST fail. */
      if (has_errno)
        return sbx_error_set (err, EINVAL, "%s: not supported with action \"%s\"",
                              epath, name);
      return 0;
    }
  if (!has_errno)
    errno_ret = EPERM;
  /* The kernel keeps 16 bits of return data; more would be truncated
     into another errno. */
  if (errno_ret > 0xffff)
    return sbx_error_set (err, ERANGE, "%s: %u out of range (0-65535)", epath,
                          errno_ret);
  *out |= errno_ret;
  return 0;
}

static int
set_flags (struct seccomp_filter *f, const struct spec_seccomp *s,
           sbx_error_t *err)
{
  int rc;

  /* libseccomp sets no_new_privs on load by default. process.noNewPrivileges
     decides that, and the caller sets it; root loads without it. */
  rc = seccomp_attr_set (f->ctx, SCMP_FLTATR_CTL_NNP, 0);
  /* Report the kernel's own errno from seccomp_load, not -ECANCELED. */
  if (rc == 0)
    rc = seccomp_attr_set (f->ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
  /* A binary tree of syscall numbers instead of a list: fewer
     instructions per syscall, and about half the time for the kernel to
     attach the filter (it runs the program for every syscall number to
     build its allow cache). Compiling it costs more, once: the program is
     kept (seccomp-cache.c). Same decisions. */
  if (rc == 0)
    rc = seccomp_attr_set (f->ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc < 0)
    return sbx_error_sys (err, -rc, P ": set filter attribute");
  for (size_t i = 0; i < s->flags.n; i++)
    {
      const char *name = s->flags.v[i];
      const struct flag *fl = NULL;

      for (size_t j = 0; j < N_OF (flags) && fl == NULL; j++)
        if (strcmp (flags[j].name, name) == 0)
          fl = &flags[j];
      if (fl == NULL)
        return sbx_error_set (err, EINVAL, P ".flags[%zu]: unknown flag \"%s\"",
                              i, name);
      if (!flag_supported (fl))
        {
          log_warn (P ".flags[%zu]: %s not supported by this kernel, ignored", i, name);
          continue;
        }
      f->kflags |= fl->kflag;
    }
  return 0;
}

static int
add_archs (struct seccomp_filter *f, const struct spec_seccomp *s,
           sbx_error_t *err)
{
  for (size_t i = 0; i < s->architectures.n; i++)
    {
      const char *name = s->architectures.v[i];
      const struct named *a = find_named (archs, N_OF (archs), name);
      int rc;

      if (a == NULL)
        return sbx_error_set (err, EINVAL,
                              P ".architectures[%zu]: unknown architecture \"%s\"",
                              i, name);
      /* The native arch is in every new filter already. libseccomp cannot
         mix byte orders in one filter (EDOM: MIPS on x86_64). Skipping
         such an arch is safe: its syscalls get the bad-arch action, kill. */
      rc = seccomp_arch_add (f->ctx, (uint32_t) a->value);
      if (rc == -EDOM)
        log_warn (P ".architectures[%zu]: %s has another byte order than "
                  "this host, ignored", i, name);
      else if (rc < 0 && rc != -EEXIST)
        return sbx_error_sys (err, -rc, P ".architectures[%zu]: add %s", i, name);
    }
  return 0;
}

/* args -> comparisons. *split is set when an argument index repeats:
   libseccomp refuses two comparisons on one argument in one rule, so, as
   runc does, each comparison then becomes a rule of its own. The rules
   are OR-ed: the action applies when ANY comparison matches, not all. */
static int
parse_args (const struct spec_seccomp_syscall *c, const char *path,
            struct scmp_arg_cmp *cmp, bool *split, sbx_error_t *err)
{
  unsigned int seen = 0;

  *split = false;
  for (size_t j = 0; j < c->n_args; j++)
    {
      const struct spec_seccomp_arg *a = &c->args[j];
      const struct named *op = find_named (operators, N_OF (operators), a->op);

      if (a->index >= 6)
        return sbx_error_set (err, EINVAL, "%s.args[%zu].index: %u out of range (0-5)",
                              path, j, a->index);
      if (op == NULL)
        return sbx_error_set (err, EINVAL, "%s.args[%zu].op: unknown operator \"%s\"",
                              path, j, a->op);
      if (seen & (1u << a->index))
        *split = true;
      seen |= 1u << a->index;
      /* MASKED_EQ: (arg & value) == valueTwo; the others use value only. */
      cmp[j].arg = a->index;
      cmp[j].op = (enum scmp_compare) op->value;
      cmp[j].datum_a = a->value;
      cmp[j].datum_b = op->value == SCMP_CMP_MASKED_EQ ? a->value_two : 0;
    }
  return 0;
}

/* Returns 1 if a rule was added, 0 if the name was skipped, or -1. */
static int
add_syscall (struct seccomp_filter *f, const char *name, uint32_t act,
             const struct scmp_arg_cmp *cmp, size_t n, bool split,
             const char *path, sbx_error_t *err)
{
  int nr = seccomp_syscall_resolve_name (name);
  int rc = 0;

  /* Unknown to libseccomp: skip, as runc does (Docker's profile lists
     names that only newer or other-arch kernels have). */
  if (nr == __NR_SCMP_ERROR)
    {
      log_debug (P ": unknown syscall \"%s\" skipped", name);
      return 0;
    }
  if (!split)
    rc = seccomp_rule_add_array (f->ctx, act, nr, (unsigned int) n, cmp);
  for (size_t k = 0; split && k < n && rc == 0; k++)
    rc = seccomp_rule_add_array (f->ctx, act, nr, 1, &cmp[k]);
  /* A negative nr is a libseccomp pseudo number: a syscall that the
     native arch lacks (chown32 on x86_64). Skip it if refused. */
  if (rc < 0 && nr < 0)
    return 0;
  if (rc < 0)
    return sbx_error_sys (err, -rc, "%s: add rule for \"%s\"", path, name);
  return rc == 0;
}

static int
add_rules (struct seccomp_filter *f, const struct spec_seccomp *s,
           uint32_t def, sbx_error_t *err)
{
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct spec_seccomp_syscall *c = &s->syscalls[i];
      _cleanup_free_ struct scmp_arg_cmp *cmp = NULL;
      char path[64], apath[80], epath[80];
      enum act_kind kind;
      uint32_t act;
      bool split;

      snprintf (path, sizeof path, P ".syscalls[%zu]", i);
      snprintf (apath, sizeof apath, "%s.action", path);
      snprintf (epath, sizeof epath, "%s.errnoRet", path);
      if (parse_action (c->action, c->has_errno_ret, c->errno_ret, apath,
                        epath, &act, &kind, err) < 0)
        return -1;
      cmp = calloc (c->n_args > 0 ? c->n_args : 1, sizeof *cmp);
      if (cmp == NULL)
        return sbx_error_errno (err, "%s: allocate", path);
      if (parse_args (c, path, cmp, &split, err) < 0)
        return -1;
      /* libseccomp refuses a rule whose action is the default one; such
         a rule changes nothing anyway. */
      if (act == def)
        continue;
      for (size_t n = 0; n < c->names.n; n++)
        {
          int r = add_syscall (f, c->names.v[n], act, cmp, c->n_args, split,
                               path, err);
          if (r < 0)
            return -1;
          /* No listener comes unless a NOTIFY rule made it in. */
          if (r > 0 && kind == ACT_NOTIFY)
            f->notify = true;
        }
    }
  return 0;
}

void
seccomp_filter_free (struct seccomp_filter *f)
{
  if (f == NULL)
    return;
  if (f->ctx != NULL)
    seccomp_release (f->ctx);
  free (f->bpf);
  free (f);
}

static void
filter_freep (struct seccomp_filter **f)
{
  seccomp_filter_free (*f);
}

/* libseccomp's BPF for the filter, into the memfd FD (libseccomp 2.5 can
   export to an fd only). */
static int
compile (struct seccomp_filter *f, int fd, sbx_error_t *err)
{
  off_t size;
  int rc = seccomp_export_bpf (f->ctx, fd);

  if (rc < 0)
    return sbx_error_sys (err, -rc, P ": compile the filter");
  size = lseek (fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof (struct sock_filter) != 0
      || size / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return sbx_error_set (err, E2BIG, P ": the compiled filter has %lld bytes (at most %d instructions fit)",
                          (long long) size, BPF_MAXINSNS);
  return 0;
}

/* What the child that builds the filter reports (see seccomp_prepare). */
struct built
{
  int32_t errno_;               /* 0: the program is in the memfd */
  uint32_t kflags;
  uint8_t notify;
  char msg[2048];
};

int seccomp_compile_timeout_ms = 10000;

_Noreturn static void
build_in_child (const struct spec_seccomp *s, uint32_t def, int memfd, int pipefd)
{
  struct seccomp_filter f = { 0 };
  struct built b = { 0 };
  sbx_error_t e = { 0 };

  f.ctx = seccomp_init (def);
  if (f.ctx == NULL)
    sbx_error_set (&e, EINVAL, P ".defaultAction: \"%s\" refused by libseccomp", s->default_action);
  else if (set_flags (&f, s, &e) == 0 && add_archs (&f, s, &e) == 0 && add_rules (&f, s, def, &e) == 0)
    compile (&f, memfd, &e);
  b.errno_ = e.msg != NULL ? (e.errno_ ? e.errno_ : EINVAL) : 0;
  b.kflags = f.kflags;
  b.notify = f.notify;
  if (e.msg != NULL)
    snprintf (b.msg, sizeof b.msg, "%s", e.msg);
  _exit (write (pipefd, &b, sizeof b) == (ssize_t) sizeof b ? 0 : 1);
}

/* libseccomp can spin without end on some rule sets (2.5.4: a few
   argument conditions on the same syscalls, tests/unit/test_seccomp.c
   has one; runc hangs on it too). So the filter is built and compiled in
   a child, with a deadline: a config cannot leave sbx stuck. The parent
   keeps the program only (the cache makes this a one-time cost). */
int
seccomp_prepare (const struct spec_seccomp *s, struct seccomp_filter **out,
                 sbx_error_t *err)
{
  __attribute__ ((cleanup (filter_freep))) struct seccomp_filter *f = NULL;
  _cleanup_fd_ int memfd = -1, rd = -1;
  struct pollfd pfd;
  struct built b;
  enum act_kind kind;
  uint32_t def;
  int pipefd[2], pr;
  off_t size;
  pid_t pid;

  *out = NULL;
  /* Every syscall would wait for an agent, the ones that hand the
     listener fd to it included. runc refuses it too. */
  if (strcmp (s->default_action, "SCMP_ACT_NOTIFY") == 0)
    return sbx_error_set (err, EINVAL, P ".defaultAction: SCMP_ACT_NOTIFY "
                          "cannot be the default action");
  if (parse_action (s->default_action, s->has_default_errno_ret,
                    s->default_errno_ret, P ".defaultAction",
                    P ".defaultErrnoRet", &def, &kind, err) < 0)
    return -1;
  memfd = memfd_create ("sbx-seccomp", MFD_CLOEXEC);
  if (memfd < 0 || pipe2 (pipefd, O_CLOEXEC) < 0)
    return sbx_error_errno (err, P ": memfd and pipe for the compiled filter");
  fflush (NULL);
  pid = fork ();
  if (pid == 0)
    {
      /* sbx killed with -9 must not leave it spinning */
      if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () == 1)
        _exit (1);
      close (pipefd[0]);
      build_in_child (s, def, memfd, pipefd[1]);
    }
  close (pipefd[1]);
  rd = pipefd[0];
  if (pid < 0)
    return sbx_error_errno (err, P ": fork to compile the filter");
  pfd = (struct pollfd) { .fd = rd, .events = POLLIN };
  do
    pr = poll (&pfd, 1, seccomp_compile_timeout_ms);
  while (pr < 0 && errno == EINTR);
  if (pr == 0)
    kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  if (pr == 0)
    return sbx_error_set (err, ETIMEDOUT, P ": libseccomp did not finish compiling the filter in %d ms "
                          "(rules it cannot handle: simplify the argument conditions)", seccomp_compile_timeout_ms);
  if (read (rd, &b, sizeof b) != (ssize_t) sizeof b)
    return sbx_error_set (err, EIO, P ": the process compiling the filter died");
  if (b.errno_ != 0)
    return sbx_error_set (err, b.errno_, "%s", b.msg);
  f = calloc (1, sizeof *f);
  size = lseek (memfd, 0, SEEK_END);
  if (f == NULL || size <= 0 || (f->bpf = malloc (size)) == NULL || pread (memfd, f->bpf, size, 0) != size)
    return sbx_error_errno (err, P ": read the compiled filter");
  f->len = (unsigned short) (size / sizeof (struct sock_filter));
  /* libseccomp's tree tests again what its upper levels decided: a
     shorter program is cheaper for the kernel to attach (seccomp-prune.c) */
  {
    size_t len = f->len;
    if (seccomp_prune (f->bpf, &len) == 0)
      f->len = (unsigned short) len;
  }
  f->kflags = b.kflags;
  f->notify = b.notify;
  *out = take_ptr (&f);
  return 0;
}

int
seccomp_filter_bpf (const struct seccomp_filter *f, const void **bpf, size_t *len, unsigned int *kflags)
{
  if (f->notify)
    return -1;
  *bpf = f->bpf;
  *len = f->len;
  *kflags = f->kflags;
  return 0;
}

int
seccomp_filter_from_bpf (const void *bpf, size_t len, unsigned int kflags, struct seccomp_filter **out,
                         sbx_error_t *err)
{
  struct seccomp_filter *f;

  *out = NULL;
  if (len == 0 || len > BPF_MAXINSNS)
    return sbx_error_set (err, E2BIG, P ": a compiled filter of %zu instructions", len);
  f = calloc (1, sizeof *f);
  if (f == NULL || (f->bpf = malloc (len * sizeof *f->bpf)) == NULL)
    {
      free (f);
      return sbx_error_errno (err, P ": allocate");
    }
  memcpy (f->bpf, bpf, len * sizeof *f->bpf);
  f->len = (unsigned short) len;
  f->kflags = kflags;
  *out = f;
  return 0;
}

bool
seccomp_has_notify (const struct seccomp_filter *f)
{
  return f->notify;
}

int
seccomp_install (struct seccomp_filter *f, int *notify_fd, sbx_error_t *err)
{
  struct sock_fprog prog = { .len = f->len, .filter = f->bpf };
  unsigned int flags = f->kflags;
  long rc;

  /* Combinations the kernel refuses: WAIT_KILLABLE_RECV only tunes a
     listener; TSYNC with a listener needs TSYNC_ESRCH, and the init has no
     other thread to sync anyway. */
  if (f->notify)
    flags = (flags & ~SECCOMP_FILTER_FLAG_TSYNC) | SECCOMP_FILTER_FLAG_NEW_LISTENER;
  else
    flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

  /* The raw syscall: no allocation in the container's cgroup. With
     NEW_LISTENER it returns the listener fd (O_CLOEXEC: it does not reach
     the program; the caller owns it). */
  *notify_fd = -1;
  rc = sbx_kernel.seccomp (SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0)
    return sbx_error_errno (err, "load seccomp filter");
  if (f->notify)
    *notify_fd = (int) rc;
  return 0;
}
