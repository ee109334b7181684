/* test_seccomp_compose.c: the policy's filter and a config's as one
 * program (libcontainer/seccomp-compose.c). The composite must return,
 * for every syscall, architecture and argument, what the kernel returns
 * with the two stacked: checked over the whole syscall table with a
 * classic-BPF interpreter, then in forked children against the kernel
 * itself (the same syscalls under the stacked pair and under the
 * composite give the same results). JSON fixtures use ' for ". */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "policy.h"
#define SBX_WANT_LIBSECCOMP 1 /* libseccomp's own names too (seccomp.h) */
#include "seccomp.h"
#include "spec.h"
#include "unit.h"

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

/* ---- fixtures ---- */

/* Like Docker's default: EPERM unless listed, with argument rules on
   clone, personality and socket, clone3 ENOSYS, three architectures,
   and one of every other action. */
#define DOCKERISH                                                                                      \
  "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"                                             \
  "'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86','SCMP_ARCH_X32'],'syscalls':["                  \
  "{'names':['read','write','exit_group','exit','getpid','getcwd','mkdir','unshare','keyctl',"         \
  "'io_uring_setup','bpf','wait4','close','rt_sigreturn','brk','mmap','munmap'],'action':'SCMP_ACT_ALLOW'}," \
  "{'names':['clone'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':2114060288,'op':'SCMP_CMP_MASKED_EQ'}]}," \
  "{'names':['personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':0,'op':'SCMP_CMP_EQ'}]}," \
  "{'names':['personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':4294967295,'op':'SCMP_CMP_EQ'}]}," \
  "{'names':['getpriority'],'action':'SCMP_ACT_ERRNO','errnoRet':13}," \
  "{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':40,'op':'SCMP_CMP_NE'}]}," \
  "{'names':['socketpair'],'action':'SCMP_ACT_ALLOW'},"                                                \
  "{'names':['clone3'],'action':'SCMP_ACT_ERRNO','errnoRet':38},"                                      \
  "{'names':['ptrace'],'action':'SCMP_ACT_KILL_PROCESS'},"                                             \
  "{'names':['kexec_load'],'action':'SCMP_ACT_KILL_THREAD'},"                                          \
  "{'names':['swapon'],'action':'SCMP_ACT_TRAP'},"                                                     \
  "{'names':['uname'],'action':'SCMP_ACT_LOG'},"                                                       \
  "{'names':['getppid'],'action':'SCMP_ACT_TRACE','errnoRet':3}]}"

/* bench/policy.sh's config: everything but one syscall. */
#define ONE_RULE "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['kexec_load'],'action':'SCMP_ACT_ERRNO'}]}"

/* A config that kills by default. */
#define KILLER                                                                                         \
  "{'defaultAction':'SCMP_ACT_KILL_PROCESS','syscalls':[{'names':['read','write','exit_group','getcwd'," \
  "'socket','unshare','personality'],'action':'SCMP_ACT_ALLOW'}]}"

/* The shipped strict policy's filter rules (contrib/policy/untrusted.json,
   shortened) and its socket-family allowlist. */
#define POLICY                                                                                         \
  "{'harden':{'socketFamilies':['AF_UNIX','AF_INET','AF_INET6','AF_NETLINK_ROUTE'],"                   \
  "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["                                           \
  "{'names':['io_uring_setup','bpf','keyctl','ptrace','kexec_load','mount','setns','swapon'],"         \
  "'action':'SCMP_ACT_ERRNO'},{'names':['unshare'],'action':'SCMP_ACT_ERRNO'},"                        \
  "{'names':['clone'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':268435456,"                 \
  "'valueTwo':268435456,'op':'SCMP_CMP_MASKED_EQ'}]},"                                                 \
  "{'names':['clone3'],'action':'SCMP_ACT_ERRNO','errnoRet':38},"                                      \
  "{'names':['personality'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':4194304,"             \
  "'valueTwo':4194304,'op':'SCMP_CMP_MASKED_EQ'}]}]}}}"

static char *
quotes (const char *s)
{
  char *j = strdup (s);
  for (char *p = j; p && *p; p++)
    if (*p == '\'')
      *p = '"';
  return j;
}

static struct seccomp_filter *
config_filter (const char *seccomp)
{
  sbx_error_t err = { 0, NULL };
  char *j = NULL, *q;
  struct sbx_spec *spec;
  struct seccomp_filter *f = NULL;

  if (asprintf (&j, "{'ociVersion':'1.2.0','linux':{'seccomp':%s}}", seccomp) < 0)
    abort ();
  q = quotes (j);
  spec = spec_parse (q, strlen (q), &err);
  if (spec == NULL || seccomp_prepare (spec->linux_->seccomp, &f, &err) < 0)
    printf ("# config: %s\n", err.msg);
  if (spec != NULL)
    spec_free (spec);
  free (j);
  free (q);
  sbx_error_free (&err);
  return f;
}

static struct seccomp_filter *
policy_filter (void)
{
  sbx_error_t err = { 0, NULL };
  char *q = quotes (POLICY);
  struct sbx_policy *p = policy_parse (q, strlen (q), &err);
  struct spec_seccomp *sc = NULL;
  struct seccomp_filter *f = NULL;

  if (p == NULL || policy_seccomp (p, &sc, &err) < 0 || seccomp_prepare (sc, &f, &err) < 0)
    printf ("# policy: %s\n", err.msg);
  spec_seccomp_free (sc);
  if (p != NULL)
    policy_free (p);
  free (q);
  sbx_error_free (&err);
  return f;
}

/* ---- a classic BPF interpreter for seccomp programs ---- */

static uint32_t
run (const struct seccomp_filter *f, const struct seccomp_data *d)
{
  const void *v;
  size_t n, pc = 0;
  unsigned int kflags;
  uint32_t a = 0;

  if (seccomp_filter_bpf (f, &v, &n, &kflags) < 0)
    abort ();
  const struct sock_filter *p = v;
  for (;;)
    {
      const struct sock_filter *x = &p[pc];
      if (pc >= n)
        abort ();
      switch (x->code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          memcpy (&a, (const char *) d + x->k, 4);
          pc++;
          break;
        case BPF_ALU | BPF_AND | BPF_K:
          a &= x->k;
          pc++;
          break;
        case BPF_JMP | BPF_JA:
          pc += 1 + x->k;
          break;
        case BPF_JMP | BPF_JEQ | BPF_K:
          pc += 1 + (a == x->k ? x->jt : x->jf);
          break;
        case BPF_JMP | BPF_JGT | BPF_K:
          pc += 1 + (a > x->k ? x->jt : x->jf);
          break;
        case BPF_JMP | BPF_JGE | BPF_K:
          pc += 1 + (a >= x->k ? x->jt : x->jf);
          break;
        case BPF_JMP | BPF_JSET | BPF_K:
          pc += 1 + ((a & x->k) ? x->jt : x->jf);
          break;
        case BPF_RET | BPF_K:
          return x->k;
        default:
          printf ("# unexpected instruction 0x%x\n", x->code);
          abort ();
        }
    }
}

static const uint64_t arg_values[] = {
  0, 1, 2, 10, 16, 17, 38, 40, 0x10000000, 0x10000011, 0x400000, 0x7e020000, 0x100000011ULL,
  0xffffffffULL, 0x7fffffff00000001ULL, 0xffffffffffffffffULL,
};

/* Every input, the composite against the stacked pair (against NEWER
   alone without OLDER); how many differ. */
static long
mismatches (const struct seccomp_filter *older, const struct seccomp_filter *newer, const struct seccomp_filter *one)
{
  static const uint32_t archs[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64 };
  const size_t nv = sizeof arg_values / sizeof arg_values[0];
  long bad = 0, n = 0;

  for (size_t a = 0; a < 3; a++)
    for (uint32_t k = 0; k < 1200; k++)
      {
        /* the native table, then x32 numbers, then junk */
        uint32_t nr = k < 600 ? k : k < 1150 ? 0x40000000u | (k - 600) : 0xffffffffu - (k - 1150);
        for (size_t i = 0; i < nv; i++)
          for (size_t j = 0; j < 3; j++)
            {
              struct seccomp_data d = { .nr = (int) nr, .arch = archs[a] };
              d.args[0] = arg_values[i];
              d.args[2] = j == 0 ? 0 : j == 1 ? 9 : arg_values[nv - 1 - i];
              uint32_t want = older ? seccomp_stacked_result (run (newer, &d), run (older, &d)) : run (newer, &d);
              uint32_t got = run (one, &d);
              n++;
              if (want != got && bad++ < 5)
                printf ("# arch %x nr %u arg0 %llx arg2 %llx: stacked %x, composite %x\n", archs[a], nr,
                        (unsigned long long) d.args[0], (unsigned long long) d.args[2], want, got);
            }
      }
  printf ("# %ld inputs\n", n);
  return bad;
}

static bool
composes_exactly (const char *config, bool policy_older)
{
  sbx_error_t err = { 0, NULL };
  struct seccomp_filter *c = config_filter (config), *p = policy_filter (), *one = NULL;
  struct seccomp_filter *older = policy_older ? p : c, *newer = policy_older ? c : p;
  bool ok = false;

  if (c != NULL && p != NULL && seccomp_compose (older, newer, &one, &err) == 0 && one != NULL)
    ok = mismatches (older, newer, one) == 0;
  else
    printf ("# not composed: %s\n", err.msg ? err.msg : "(no error)");
  seccomp_filter_free (c);
  seccomp_filter_free (p);
  seccomp_filter_free (one);
  sbx_error_free (&err);
  return ok;
}

UNIT_TEST (stacked_result_is_the_kernels_rule)
{
  CHECK_INTEQ (seccomp_stacked_result (ERRNO (1), ERRNO (38)), ERRNO (1)); /* a tie: the newer's */
  CHECK_INTEQ (seccomp_stacked_result (ERRNO (38), ERRNO (1)), ERRNO (38));
  CHECK_INTEQ (seccomp_stacked_result (SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS), SECCOMP_RET_KILL_PROCESS);
  CHECK_INTEQ (seccomp_stacked_result (SECCOMP_RET_KILL_THREAD, SECCOMP_RET_KILL_PROCESS), SECCOMP_RET_KILL_PROCESS);
  CHECK_INTEQ (seccomp_stacked_result (SECCOMP_RET_TRAP, ERRNO (1)), SECCOMP_RET_TRAP);
  CHECK_INTEQ (seccomp_stacked_result (SECCOMP_RET_LOG, SECCOMP_RET_TRACE | 3), SECCOMP_RET_TRACE | 3);
  CHECK_INTEQ (seccomp_stacked_result (SECCOMP_RET_ALLOW, SECCOMP_RET_ALLOW), SECCOMP_RET_ALLOW);
}

UNIT_TEST (composite_equals_stacked_for_every_input)
{
  CHECK (composes_exactly (DOCKERISH, true));   /* no_new_privs: the policy's first */
  CHECK (composes_exactly (DOCKERISH, false));  /* without: the config's first */
  CHECK (composes_exactly (ONE_RULE, true));
  CHECK (composes_exactly (KILLER, true));
  CHECK (composes_exactly (KILLER, false));
}

UNIT_TEST (composite_is_about_as_long_as_both)
{
  sbx_error_t err = { 0, NULL };
  struct seccomp_filter *c = config_filter (ONE_RULE), *p = policy_filter (), *one = NULL;
  const void *v;
  size_t nc, np, n1;
  unsigned int k;

  REQUIRE (c != NULL && p != NULL);
  CHECK_INTEQ (seccomp_compose (p, c, &one, &err), 0);
  REQUIRE (one != NULL);
  seccomp_filter_bpf (c, &v, &nc, &k);
  seccomp_filter_bpf (p, &v, &np, &k);
  seccomp_filter_bpf (one, &v, &n1, &k);
  printf ("# config %zu, policy %zu, composite %zu instructions\n", nc, np, n1);
  /* the copies of the second program shrink to its arch checks */
  CHECK (n1 <= nc + np + 24);
  seccomp_filter_free (c);
  seccomp_filter_free (p);
  seccomp_filter_free (one);
}

/* An engine's profile in size: every native syscall up to 334 allowed
   but a few, an argument rule on clone, three architectures. As sbx
   compiles it (pruned) or, with RAW, as libseccomp alone does (about 1300
   instructions, long jumps through `ja`). */
static bool
engine_allows (int nr)
{
  char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_X86_64, nr);
  bool yes = name != NULL && strcmp (name, "clone") != 0 && strcmp (name, "ptrace") != 0
             && strcmp (name, "kexec_load") != 0;
  free (name);
  return yes;
}

static struct seccomp_filter *
engine_sized_filter (bool raw)
{
  sbx_error_t err = { 0, NULL };
  struct seccomp_filter *flt = NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *f;
  int n = 0;

  if (raw)
    {
      scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ERRNO (1));
      int fd = memfd_create ("bpf", MFD_CLOEXEC);
      bool ok = ctx != NULL && fd >= 0 && seccomp_arch_add (ctx, SCMP_ARCH_X86) == 0
                && seccomp_arch_add (ctx, SCMP_ARCH_X32) == 0 && seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) == 0
                && seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (clone), 1,
                                     SCMP_A0 (SCMP_CMP_MASKED_EQ, 2114060288, 0)) == 0
                && seccomp_rule_add (ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS (ptrace), 0) == 0;
      for (int nr = 0; ok && nr < 335; nr++)
        ok = !engine_allows (nr) || seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 0) == 0;
      if (ok && seccomp_export_bpf (ctx, fd) == 0)
        {
          static struct sock_filter prog[BPF_MAXINSNS];
          ssize_t got = pread (fd, prog, sizeof prog, 0);
          if (got > 0)
            seccomp_filter_from_bpf (prog, (size_t) got / sizeof prog[0], 0, &flt, &err);
        }
      if (ctx != NULL)
        seccomp_release (ctx);
      if (fd >= 0)
        close (fd);
      sbx_error_free (&err);
      return flt;
    }
  f = open_memstream (&buf, &len);
  fputs ("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"
         "'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86','SCMP_ARCH_X32'],'syscalls':[{'names':[", f);
  for (int nr = 0; nr < 335; nr++)
    if (engine_allows (nr))
      {
        char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_X86_64, nr);
        fprintf (f, "%s'%s'", n++ ? "," : "", name);
        free (name);
      }
  fputs ("],'action':'SCMP_ACT_ALLOW'},"
         "{'names':['clone'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':2114060288,'op':'SCMP_CMP_MASKED_EQ'}]},"
         "{'names':['ptrace'],'action':'SCMP_ACT_KILL_PROCESS'}]}", f);
  fclose (f);
  flt = config_filter (buf);
  free (buf);
  return flt;
}

static size_t
length (const struct seccomp_filter *f)
{
  const void *v;
  size_t n = 0;
  unsigned int k;

  seccomp_filter_bpf (f, &v, &n, &k);
  return n;
}

/* libseccomp's tree for a dense allowlist tests, at its leaves, numbers
   its upper levels already decided. sbx's compile takes those tests out
   (seccomp-prune.c): less than half the length, the same result for
   every input. */
UNIT_TEST (compiled_filters_are_pruned_and_exact)
{
  struct seccomp_filter *raw = engine_sized_filter (true), *sbx = engine_sized_filter (false);

  REQUIRE (raw != NULL && sbx != NULL);
  printf ("# libseccomp %zu instructions, sbx %zu\n", length (raw), length (sbx));
  CHECK (length (raw) > 900);
  CHECK (length (sbx) < length (raw) / 2);
  CHECK_INTEQ (mismatches (NULL, raw, sbx), 0);
  seccomp_filter_free (raw);
  seccomp_filter_free (sbx);
}

/* The policy lets only native x86_64 calls on: the config's tests for
   i386 and x32 go from the composite, which is then shorter than the
   config's program alone, in either order, and still exact (against the
   unpruned config too). */
UNIT_TEST (composite_drops_what_the_policy_denies)
{
  struct seccomp_filter *c = engine_sized_filter (false), *raw = engine_sized_filter (true), *p = policy_filter ();

  REQUIRE (c != NULL && raw != NULL && p != NULL);
  for (int older_policy = 0; older_policy < 2; older_policy++)
    {
      sbx_error_t err = { 0, NULL };
      struct seccomp_filter *older = older_policy ? p : c, *newer = older_policy ? c : p, *one = NULL;
      CHECK_INTEQ (seccomp_compose (older, newer, &one, &err), 0);
      REQUIRE (one != NULL);
      printf ("# config %zu, policy %zu, composite %zu instructions\n", length (c), length (p), length (one));
      CHECK (length (one) < length (c) * 6 / 10);
      CHECK_INTEQ (mismatches (older, newer, one), 0);
      CHECK_INTEQ (mismatches (older_policy ? p : raw, older_policy ? raw : p, one), 0);
      seccomp_filter_free (one);
    }
  seccomp_filter_free (c);
  seccomp_filter_free (raw);
  seccomp_filter_free (p);
}

/* On a hand-made program, what is decided goes. */
UNIT_TEST (prune_takes_what_is_decided)
{
  struct sock_filter prog[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch)), /* the same test again */
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT (BPF_RET | BPF_K, ERRNO (5)),
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 2),
    BPF_JUMP (BPF_JMP | BPF_JGT | BPF_K, 0x3fffffff, 0, 2), /* always true here */
    BPF_STMT (BPF_RET | BPF_K, ERRNO (7)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 39, 1, 0),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_filter odd[] = { /* RET A: not a program prune reads */
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 39, 1, 0),
    BPF_STMT (BPF_RET | BPF_A, 0),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  size_t n = sizeof prog / sizeof prog[0], no = sizeof odd / sizeof odd[0];

  /* load arch, kill unless x86_64; load nr, ERRNO(7) from 0x40000000,
     else allow: the second arch test, the decided JGT and the JEQ whose
     two ways return the same are gone */
  CHECK_INTEQ (seccomp_prune (prog, &n), 0);
  CHECK_INTEQ (n, 7);
  CHECK_INTEQ (prog[3].code, BPF_LD | BPF_W | BPF_ABS);
  CHECK_INTEQ (prog[3].k, offsetof (struct seccomp_data, nr));
  CHECK_INTEQ (prog[4].code, BPF_JMP | BPF_JGE | BPF_K);
  CHECK_INTEQ (prog[4].jt, 0);
  CHECK_INTEQ (prog[5].k, ERRNO (7));
  CHECK_INTEQ (prog[6].k, SECCOMP_RET_ALLOW);
  CHECK_INTEQ (seccomp_prune (odd, &no), 0);
  CHECK_INTEQ (no, 4);
}

UNIT_TEST (listener_and_per_filter_flags_stay_two_filters)
{
  sbx_error_t err = { 0, NULL };
  struct seccomp_filter *p = policy_filter (), *one = (struct seccomp_filter *) 1;
  struct seccomp_filter *log = config_filter ("{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_LOG'],"
                                              "'syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_ERRNO'}]}");
  struct seccomp_filter *notify = config_filter ("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x',"
                                                 "'syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}");
  struct seccomp_filter *c = NULL;

  REQUIRE (p != NULL && log != NULL);
  CHECK_INTEQ (seccomp_compose (p, log, &one, &err), 0);
  CHECK (one == NULL);
  if (notify != NULL) /* needs a kernel and libseccomp with listeners */
    {
      CHECK_INTEQ (seccomp_compose (p, notify, &one, &err), 0);
      CHECK (one == NULL);
    }
  /* join leaves them as they are */
  c = log;
  CHECK_INTEQ (seccomp_join_policy (&c, &p, true, &err), 0);
  CHECK (c == log && p != NULL);
  seccomp_filter_free (c);
  seccomp_filter_free (p);
  seccomp_filter_free (notify);
}

/* ---- random profiles ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd (void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

#define PICK(a) (a)[rnd () % (sizeof (a) / sizeof (a)[0])]

static void
random_action (FILE *f, const char *key, bool is_default)
{
  static const char *const acts[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_ERRNO",
                                      "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                                      "SCMP_ACT_LOG", "SCMP_ACT_TRACE" };
  const char *a = PICK (acts);

  fprintf (f, "'%s':'%s'", key, a);
  if ((strcmp (a, "SCMP_ACT_ERRNO") == 0 || strcmp (a, "SCMP_ACT_TRACE") == 0) && rnd () % 2)
    fprintf (f, ",'%s':%u", is_default ? "defaultErrnoRet" : "errnoRet", (unsigned) (1 + rnd () % 40));
}

/* A profile of a few rules over a small pool of syscalls, with argument
   conditions; NULL if libseccomp refuses it (rules that collide). */
static struct seccomp_filter *
random_filter (void)
{
  static const char *const names[] = { "read", "write", "getcwd", "mkdir", "socket", "clone", "personality",
                                       "unshare", "keyctl", "bpf", "mount", "ptrace", "uname", "getpid",
                                       "kill", "ioctl", "prctl", "setns", "openat", "socketpair" };
  static const char *const archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };
  static const char *const ops[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                     "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  struct seccomp_filter *flt;
  unsigned n_rules = 1 + rnd () % 8, n_arch = rnd () % 4;

  fputc ('{', f);
  random_action (f, "defaultAction", true);
  if (n_arch > 0)
    {
      fputs (",'architectures':[", f);
      for (unsigned i = 0; i < n_arch; i++)
        fprintf (f, "%s'%s'", i ? "," : "", archs[i]);
      fputc (']', f);
    }
  fputs (",'syscalls':[", f);
  for (unsigned r = 0; r < n_rules; r++)
    {
      unsigned n_names = 1 + rnd () % 3, n_args = rnd () % 3;
      fprintf (f, "%s{'names':[", r ? "," : "");
      for (unsigned i = 0; i < n_names; i++)
        fprintf (f, "%s'%s'", i ? "," : "", PICK (names));
      fputs ("],", f);
      random_action (f, "action", false);
      if (n_args > 0)
        {
          fputs (",'args':[", f);
          for (unsigned i = 0; i < n_args; i++)
            fprintf (f, "%s{'index':%u,'value':%llu,'valueTwo':%llu,'op':'%s'}", i ? "," : "",
                     (unsigned) (rnd () % 3), (unsigned long long) PICK (arg_values),
                     (unsigned long long) PICK (arg_values), PICK (ops));
          fputc (']', f);
        }
      fputc ('}', f);
    }
  fputs ("]}", f);
  fclose (f);
  flt = config_filter (buf);
  free (buf);
  return flt;
}

/* Random arguments for one (arch, nr): interesting values mixed. */
static long
random_mismatches (const struct seccomp_filter *older, const struct seccomp_filter *newer,
                   const struct seccomp_filter *one)
{
  static const uint32_t archs[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64 };
  long bad = 0;

  for (size_t a = 0; a < 3; a++)
    for (uint32_t nr = 0; nr < 460; nr++)
      for (int k = 0; k < 12; k++)
        {
          struct seccomp_data d = { .nr = (int) (k == 11 ? nr | 0x40000000u : nr), .arch = archs[a] };
          for (int i = 0; i < 3; i++)
            d.args[i] = rnd () % 4 ? PICK (arg_values) : rnd ();
          if (seccomp_stacked_result (run (newer, &d), run (older, &d)) != run (one, &d))
            bad++;
        }
  return bad;
}

UNIT_TEST (random_profiles_compose_exactly)
{
  int pairs = 0, tries = 0;
  long bad = 0;

  while (pairs < 120 && tries++ < 2000)
    {
      sbx_error_t err = { 0, NULL };
      struct seccomp_filter *a = random_filter (), *b = a ? random_filter () : NULL, *one = NULL;
      if (a != NULL && b != NULL && seccomp_compose (a, b, &one, &err) == 0 && one != NULL)
        {
          long m = random_mismatches (a, b, one);
          if (m > 0 && bad == 0)
            printf ("# pair %d: %ld mismatches\n", pairs, m);
          bad += m;
          pairs++;
        }
      seccomp_filter_free (a);
      seccomp_filter_free (b);
      seccomp_filter_free (one);
      sbx_error_free (&err);
    }
  printf ("# %d random pairs composed\n", pairs);
  CHECK (pairs == 120);
  CHECK_INTEQ (bad, 0);
}

/* ---- against the kernel: the same syscalls, stacked and composed ---- */

/* A few syscalls either program decides, each harmless when allowed:
   their results, as ret/errno pairs, into out. */
static void
probe (long *out)
{
  int i = 0;

#define TRY(call)                                                                                      \
  do                                                                                                   \
    {                                                                                                  \
      errno = 0;                                                                                       \
      long r_ = (long) (call);                                                                         \
      out[2 * i] = r_ < 0 ? -1 : 0;                                                                    \
      out[2 * i + 1] = r_ < 0 ? errno : 0;                                                             \
      i++;                                                                                             \
    }                                                                                                  \
  while (0)
  TRY (syscall (SYS_unshare, CLONE_NEWUSER));
  TRY (syscall (SYS_personality, 0xffffffffUL));
  TRY (syscall (SYS_personality, (unsigned long) READ_IMPLIES_EXEC));
  TRY (syscall (SYS_getcwd, NULL, 0));
  TRY (syscall (SYS_mkdir, "/", 0755));
  TRY (syscall (SYS_clone3, NULL, 0));
  TRY (syscall (SYS_socket, AF_PACKET, SOCK_RAW, 0));
  TRY (syscall (SYS_socket, AF_NETLINK, SOCK_RAW, 9));
  TRY (syscall (SYS_socket, AF_NETLINK, SOCK_RAW, 0));
  TRY (syscall (SYS_socket, AF_VSOCK, SOCK_STREAM, 0));
  TRY (syscall (SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -1L, 0));
  TRY (syscall (SYS_io_uring_setup, 0, NULL));
#undef TRY
}

#define N_PROBES 12

/* In a child: install the filters, probe, write the results to fd. */
static bool
kernel_results (struct seccomp_filter *const *fs, size_t n, long *out)
{
  int pipefd[2];
  pid_t pid;
  int st;
  bool ok;

  if (pipe (pipefd) < 0)
    return false;
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      sbx_error_t err = { 0, NULL };
      long res[2 * N_PROBES];
      int fd;
      close (pipefd[0]);
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit (10);
      for (size_t i = 0; i < n; i++)
        if (seccomp_install (fs[i], &fd, &err) < 0)
          _exit (11);
      probe (res);
      _exit (write (pipefd[1], res, sizeof res) == (ssize_t) sizeof res ? 0 : 12);
    }
  close (pipefd[1]);
  ok = read (pipefd[0], out, 2 * N_PROBES * sizeof *out) == (ssize_t) (2 * N_PROBES * sizeof *out);
  close (pipefd[0]);
  if (pid < 0 || waitpid (pid, &st, 0) < 0 || !WIFEXITED (st) || WEXITSTATUS (st) != 0)
    return false;
  return ok;
}

/* seccomp_always_allows: ALLOW for every argument and instruction
   pointer where it says so, across the table; known cases each way. */
static long
always_allowed_checked (const struct seccomp_filter *f, long *wrong)
{
  static const uint32_t archs[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64 };
  const size_t nv = sizeof arg_values / sizeof arg_values[0];
  long yes = 0;

  for (size_t a = 0; a < 3; a++)
    for (uint32_t k = 0; k < 700; k++)
      {
        uint32_t nr = k < 600 ? k : 0x40000000u | (k - 600);
        if (!seccomp_always_allows (f, archs[a], nr))
          continue;
        yes++;
        for (size_t i = 0; i < nv; i++)
          {
            struct seccomp_data d = { .nr = (int) nr, .arch = archs[a], .instruction_pointer = arg_values[nv - 1 - i] };
            for (int j = 0; j < 6; j++)
              d.args[j] = arg_values[(i + (size_t) j * 3) % nv];
            if (run (f, &d) != SECCOMP_RET_ALLOW && (*wrong)++ < 5)
              printf ("# arch %x nr %u said always allowed, gives %x\n", archs[a], nr, run (f, &d));
          }
      }
  return yes;
}

UNIT_TEST (always_allows_means_for_every_argument)
{
  sbx_error_t err = { 0, NULL };
  struct seccomp_filter *d = config_filter (DOCKERISH), *c = config_filter (ONE_RULE), *p = policy_filter (), *one = NULL;
  long wrong = 0;

  REQUIRE (d != NULL && c != NULL && p != NULL);
  REQUIRE (seccomp_compose (p, c, &one, &err) == 0 && one != NULL);
  CHECK (always_allowed_checked (d, &wrong) >= 30); /* the allowed names on three architectures */
  CHECK (always_allowed_checked (one, &wrong) >= 400);
  CHECK (always_allowed_checked (p, &wrong) >= 400);
  CHECK_INTEQ (wrong, 0);
  CHECK (seccomp_always_allows (d, AUDIT_ARCH_X86_64, SYS_read));
  CHECK (seccomp_always_allows (d, AUDIT_ARCH_X86_64, SYS_exit_group));
  CHECK (seccomp_always_allows (d, AUDIT_ARCH_I386, 3)); /* read on i386 */
  CHECK (!seccomp_always_allows (d, AUDIT_ARCH_X86_64, SYS_clone));       /* by its flags */
  CHECK (!seccomp_always_allows (d, AUDIT_ARCH_X86_64, SYS_socket));      /* by its family */
  CHECK (!seccomp_always_allows (d, AUDIT_ARCH_X86_64, SYS_getpriority)); /* an errno */
  CHECK (!seccomp_always_allows (d, AUDIT_ARCH_X86_64, SYS_uname));       /* logged is not allowed */
  CHECK (!seccomp_always_allows (d, AUDIT_ARCH_X86_64, SYS_openat));      /* the default */
  CHECK (!seccomp_always_allows (d, AUDIT_ARCH_AARCH64, 63));             /* an architecture not listed */
  CHECK (seccomp_always_allows (one, AUDIT_ARCH_X86_64, SYS_poll));
  CHECK (!seccomp_always_allows (one, AUDIT_ARCH_X86_64, SYS_kexec_load));
  CHECK (!seccomp_always_allows (one, AUDIT_ARCH_X86_64, SYS_mount));
  CHECK (!seccomp_always_allows (one, AUDIT_ARCH_X86_64, SYS_socket));
  CHECK (!seccomp_always_allows (NULL, AUDIT_ARCH_X86_64, SYS_read));
  seccomp_filter_free (d);
  seccomp_filter_free (c);
  seccomp_filter_free (p);
  seccomp_filter_free (one);
}

UNIT_TEST (the_kernel_agrees)
{
  sbx_error_t err = { 0, NULL };
  struct seccomp_filter *c = config_filter (ONE_RULE), *p = policy_filter (), *one = NULL;
  long stacked[2 * N_PROBES], composed[2 * N_PROBES];

  REQUIRE (c != NULL && p != NULL);
  REQUIRE (seccomp_compose (p, c, &one, &err) == 0 && one != NULL);
  {
    struct seccomp_filter *two[] = { p, c };
    CHECK (kernel_results (two, 2, stacked));
  }
  CHECK (kernel_results (&one, 1, composed));
  for (int i = 0; i < N_PROBES; i++)
    if (!CHECK (stacked[2 * i] == composed[2 * i] && stacked[2 * i + 1] == composed[2 * i + 1]))
      printf ("# probe %d: stacked %ld/%ld, composed %ld/%ld\n", i, stacked[2 * i], stacked[2 * i + 1],
              composed[2 * i], composed[2 * i + 1]);
  /* and they are the policy's answers: unshare and AF_PACKET refused */
  CHECK (composed[0] == -1 && composed[1] == EPERM);
  CHECK (composed[12] == -1 && composed[13] == EAFNOSUPPORT);
  seccomp_filter_free (c);
  seccomp_filter_free (p);
  seccomp_filter_free (one);
}

int
main (void)
{
  return unit_main ();
}
