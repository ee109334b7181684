/* test_seccomp.c: unit tests for libcontainer/seccomp.c. First the config
 * checks (unknown action/operator/arch/flag errors with their JSON path,
 * unknown syscall names skipped, errnoRet rules), then filters really
 * installed in a forked child whose exit status tells what it saw.
 * JSON fixtures use ' for " to stay readable; json() converts. */
#include <errno.h>
#include <sys/utsname.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#define SBX_WANT_LIBSECCOMP 1   /* seccomp_api_get/set too */
#include "seccomp.h"
#include "spec.h"
#include "unit.h"

static struct sbx_spec *
parse (const char *seccomp, sbx_error_t *err)
{
  char *j = NULL;
  struct sbx_spec *spec;

  if (asprintf (&j, "{'ociVersion':'1.2.0','linux':{'seccomp':%s}}", seccomp) < 0)
    abort ();
  for (char *p = j; *p; p++)
    if (*p == '\'')
      *p = '"';
  spec = spec_parse (j, strlen (j), err);
  free (j);
  return spec;
}

/* Parse and prepare; returns seccomp_prepare's result (-2: bad JSON). */
static int
prepare (const char *seccomp, struct seccomp_filter **f, sbx_error_t *err)
{
  struct sbx_spec *spec = parse (seccomp, err);
  int r;

  *f = NULL;
  if (spec == NULL)
    return -2;
  r = seccomp_prepare (spec->linux_->seccomp, f, err);
  spec_free (spec);
  return r;
}

/* Valgrind does not know seccomp(2): libseccomp then reports API level 1
   and refuses the newer actions. Such tests skip. */
static bool
needs_api (unsigned int level)
{
  if (seccomp_api_get () >= level)
    return true;
  printf ("# skip: libseccomp API level %u here, the test needs %u\n",
          seccomp_api_get (), level);
  return false;
}

#define EXPECT_ERR(seccomp, want)                                             \
  do                                                                          \
    {                                                                         \
      sbx_error_t e_ = { 0, NULL };                                           \
      struct seccomp_filter *f_;                                              \
      CHECK_INTEQ (prepare (seccomp, &f_, &e_), -1);                          \
      CHECK (f_ == NULL);                                                     \
      CHECK_STREQ (e_.msg, want);                                             \
      sbx_error_free (&e_);                                                   \
    }                                                                         \
  while (0)

#define EXPECT_OK(seccomp)                                                    \
  do                                                                          \
    {                                                                         \
      sbx_error_t e_ = { 0, NULL };                                           \
      struct seccomp_filter *f_;                                              \
      CHECK_INTEQ (prepare (seccomp, &f_, &e_), 0);                           \
      CHECK_STREQ (e_.msg, NULL);                                             \
      CHECK (f_ != NULL);                                                     \
      seccomp_filter_free (f_);                                               \
      sbx_error_free (&e_);                                                   \
    }                                                                         \
  while (0)

#define ALLOW "'defaultAction':'SCMP_ACT_ALLOW'"
#define RULE(names, action) "{'names':[" names "],'action':'" action "'"

/* A reduced but faithful copy of the profile Docker 24 passes (its
   built-in default, moby's profiles/seccomp/default.json): its 12 rules, with
   the allow list cut to ~100 names, keeping the ones with no x86_64
   number and recent ones, and everything the test child calls. */
#define DOCKER_PROFILE                                                        \
  "{'defaultAction':'SCMP_ACT_ERRNO',"                                        \
  "'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86','SCMP_ARCH_X32'],"     \
  "'syscalls':["                                                              \
  RULE ("'accept','accept4','access','bind','brk','chdir','chmod','chown',"   \
        "'chown32','clock_gettime','clock_gettime64',"                        \
        "'clock_nanosleep_time64','close','close_range','connect','dup',"     \
        "'dup2','dup3','epoll_create1','epoll_ctl','epoll_pwait',"            \
        "'epoll_pwait2','eventfd2','execve','execveat','exit','exit_group',"  \
        "'faccessat','faccessat2','fchdir','fcntl','fcntl64','fstat',"        \
        "'fstat64','futex','futex_waitv','getcwd','getdents64','getpid',"     \
        "'getppid','getrandom','getrlimit','getuid','getuid32',"              \
        "'io_pgetevents_time64','ioctl','kill','landlock_add_rule',"          \
        "'landlock_create_ruleset','landlock_restrict_self','_llseek',"       \
        "'lseek','lstat','memfd_create','memfd_secret','mkdir','mkdirat',"    \
        "'mmap','mmap2','mprotect','munmap','nanosleep','newfstatat','open'," \
        "'openat','openat2','pidfd_open','pidfd_send_signal','pipe','pipe2'," \
        "'poll','prctl','pread64','prlimit64','process_mrelease','read',"     \
        "'readlink','recvmmsg_time64','recvmsg','rename','rmdir',"            \
        "'rt_sigaction','rt_sigprocmask','rt_sigreturn','select','sendmsg',"  \
        "'set_robust_list','set_tid_address','setgid','setuid','socket',"     \
        "'socketcall','stat','statx','ugetrlimit','uname','unlink','wait4',"  \
        "'write','writev'",                                                   \
        "SCMP_ACT_ALLOW") "},"                                                \
  RULE ("'ptrace'", "SCMP_ACT_ALLOW") "},"                                    \
  RULE ("'personality'", "SCMP_ACT_ALLOW")                                    \
  ",'args':[{'index':0,'value':0,'op':'SCMP_CMP_EQ'}]},"                      \
  RULE ("'personality'", "SCMP_ACT_ALLOW")                                    \
  ",'args':[{'index':0,'value':8,'op':'SCMP_CMP_EQ'}]},"                      \
  RULE ("'personality'", "SCMP_ACT_ALLOW")                                    \
  ",'args':[{'index':0,'value':131072,'op':'SCMP_CMP_EQ'}]},"                 \
  RULE ("'personality'", "SCMP_ACT_ALLOW")                                    \
  ",'args':[{'index':0,'value':131080,'op':'SCMP_CMP_EQ'}]},"                 \
  RULE ("'personality'", "SCMP_ACT_ALLOW")                                    \
  ",'args':[{'index':0,'value':4294967295,'op':'SCMP_CMP_EQ'}]},"             \
  RULE ("'arch_prctl'", "SCMP_ACT_ALLOW") "},"                                \
  RULE ("'modify_ldt'", "SCMP_ACT_ALLOW") "},"                                \
  RULE ("'clone'", "SCMP_ACT_ALLOW")                                          \
  ",'args':[{'index':0,'value':2114060288,'op':'SCMP_CMP_MASKED_EQ'}]},"      \
  RULE ("'clone3'", "SCMP_ACT_ERRNO") ",'errnoRet':38},"                      \
  RULE ("'chroot'", "SCMP_ACT_ALLOW") "}]}"

/* ---- configuration checks ---- */

UNIT_TEST (unknown_action_names_its_path)
{
  EXPECT_ERR ("{" ALLOW ",'syscalls':[" RULE ("'read'", "SCMP_ACT_ERRNO") "},"
              RULE ("'read'", "SCMP_ACT_ERRNO") "}," RULE ("'read'", "SCMP_ACT_TRAP") "},"
              RULE ("'getpid'", "SCMP_ACT_FOO") "}]}",
              "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");
  EXPECT_ERR ("{'defaultAction':'SCMP_ACT_DENY'}",
              "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_DENY\"");
  EXPECT_ERR ("{'defaultAction':'scmp_act_allow'}",
              "linux.seccomp.defaultAction: unknown action \"scmp_act_allow\"");
}

UNIT_TEST (unknown_operator_names_its_path)
{
  EXPECT_ERR ("{" ALLOW ",'syscalls':[" RULE ("'write'", "SCMP_ACT_ERRNO")
              ",'args':[{'index':0,'value':1,'op':'SCMP_CMP_EQ'},"
              "{'index':1,'value':1,'op':'SCMP_CMP_FOO'}]}]}",
              "linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_FOO\"");
  EXPECT_ERR ("{" ALLOW ",'syscalls':[" RULE ("'write'", "SCMP_ACT_ERRNO")
              ",'args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}",
              "linux.seccomp.syscalls[0].args[0].index: 6 out of range (0-5)");
}

UNIT_TEST (unknown_arch_names_its_path)
{
  EXPECT_ERR ("{" ALLOW ",'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_FOO']}",
              "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_FOO\"");
}

UNIT_TEST (unknown_flag_names_its_path)
{
  EXPECT_ERR ("{" ALLOW ",'flags':['SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_FOO']}",
              "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"");
}

UNIT_TEST (every_known_name_is_accepted)
{
  if (!needs_api (5))
    return;
  EXPECT_OK ("{" ALLOW ",'flags':['SECCOMP_FILTER_FLAG_TSYNC','SECCOMP_FILTER_FLAG_LOG',"
             "'SECCOMP_FILTER_FLAG_SPEC_ALLOW','SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],"
             "'architectures':['SCMP_ARCH_X86','SCMP_ARCH_X86_64','SCMP_ARCH_X32',"
             "'SCMP_ARCH_ARM','SCMP_ARCH_AARCH64','SCMP_ARCH_MIPS','SCMP_ARCH_MIPS64',"
             "'SCMP_ARCH_MIPS64N32','SCMP_ARCH_MIPSEL','SCMP_ARCH_MIPSEL64',"
             "'SCMP_ARCH_MIPSEL64N32','SCMP_ARCH_PPC','SCMP_ARCH_PPC64',"
             "'SCMP_ARCH_PPC64LE','SCMP_ARCH_S390','SCMP_ARCH_S390X',"
             "'SCMP_ARCH_PARISC','SCMP_ARCH_PARISC64','SCMP_ARCH_RISCV64'],"
             "'syscalls':["
             RULE ("'getpid'", "SCMP_ACT_KILL") "}," RULE ("'getppid'", "SCMP_ACT_KILL_PROCESS") "},"
             RULE ("'getuid'", "SCMP_ACT_KILL_THREAD") "}," RULE ("'getgid'", "SCMP_ACT_TRAP") "},"
             RULE ("'mkdir'", "SCMP_ACT_ERRNO") "}," RULE ("'rmdir'", "SCMP_ACT_TRACE") "},"
             RULE ("'read'", "SCMP_ACT_LOG") "}," RULE ("'acct'", "SCMP_ACT_NOTIFY") "},"
             RULE ("'write'", "SCMP_ACT_ERRNO") ",'args':["
             "{'index':0,'value':1,'op':'SCMP_CMP_NE'},{'index':1,'value':1,'op':'SCMP_CMP_LT'},"
             "{'index':2,'value':1,'op':'SCMP_CMP_LE'},{'index':3,'value':1,'op':'SCMP_CMP_EQ'},"
             "{'index':4,'value':1,'op':'SCMP_CMP_GE'},{'index':5,'value':1,'op':'SCMP_CMP_GT'}]},"
             RULE ("'close'", "SCMP_ACT_ERRNO")
             ",'args':[{'index':0,'value':1,'valueTwo':1,'op':'SCMP_CMP_MASKED_EQ'}]}]}");
}

UNIT_TEST (known_name_lists)
{
  size_t n;

  for (n = 0; seccomp_known_actions[n] != NULL; n++)
    ;
  CHECK_INTEQ (n, 9);
  CHECK_STREQ (seccomp_known_actions[0], "SCMP_ACT_KILL");
  for (n = 0; seccomp_known_operators[n] != NULL; n++)
    ;
  CHECK_INTEQ (n, 7);
  CHECK_STREQ (seccomp_known_operators[6], "SCMP_CMP_MASKED_EQ");
  for (n = 0; seccomp_known_archs[n] != NULL; n++)
    ;
  CHECK (n >= 19);
  CHECK_STREQ (seccomp_known_archs[18], "SCMP_ARCH_RISCV64");
  for (n = 0; seccomp_known_flags[n] != NULL; n++)
    ;
  CHECK_INTEQ (n, 4);
  CHECK_STREQ (seccomp_known_flags[3], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
  /* Supported flags are a subset of the known ones, in the same order;
     TSYNC needs only Linux 3.17. */
  if (needs_api (2))
    CHECK_STREQ (seccomp_supported_flags ()[0], "SECCOMP_FILTER_FLAG_TSYNC");
}

UNIT_TEST (actions_beyond_the_api_level_are_refused)
{
  unsigned int level = seccomp_api_get ();

  REQUIRE (seccomp_api_set (2) == 0);
  EXPECT_ERR ("{" ALLOW ",'syscalls':[" RULE ("'read'", "SCMP_ACT_LOG") "}]}",
              "linux.seccomp.syscalls[0].action: SCMP_ACT_LOG not supported "
              "by this kernel or libseccomp");
  EXPECT_ERR ("{'defaultAction':'SCMP_ACT_KILL_PROCESS'}",
              "linux.seccomp.defaultAction: SCMP_ACT_KILL_PROCESS not supported "
              "by this kernel or libseccomp");
  /* Flags go to the kernel with sbx's own seccomp(2) call: libseccomp's
     level does not matter for them. */
  EXPECT_OK ("{" ALLOW ",'flags':['SECCOMP_FILTER_FLAG_SPEC_ALLOW']}");
  CHECK_STREQ (seccomp_supported_flags ()[2], "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
  seccomp_api_set (level);
}

/* The flags the running kernel knows: TSYNC (3.17), LOG (4.14), SPEC_ALLOW
   (4.17) everywhere sbx runs; WAIT_KILLABLE_RECV from 5.19 on. */
UNIT_TEST (supported_flags_follow_the_kernel)
{
  struct utsname u;
  unsigned major = 0, minor = 0;
  const char *const *f = seccomp_supported_flags ();
  size_t n;

  REQUIRE (uname (&u) == 0 && sscanf (u.release, "%u.%u", &major, &minor) == 2);
  for (n = 0; f[n] != NULL; n++)
    ;
  CHECK_STREQ (f[0], "SECCOMP_FILTER_FLAG_TSYNC");
  CHECK_STREQ (f[1], "SECCOMP_FILTER_FLAG_LOG");
  CHECK_STREQ (f[2], "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
  if (major > 5 || (major == 5 && minor >= 19))
    {
      CHECK_INTEQ (n, 4);
      CHECK_STREQ (f[3], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    }
  else
    CHECK_INTEQ (n, 3);
}

UNIT_TEST (unknown_syscall_names_are_skipped)
{
  /* chown32 and friends: libseccomp knows them, x86_64 has no number. */
  EXPECT_OK ("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
             RULE ("'no_such_syscall','chown32','_llseek','socketcall',"
                   "'ugetrlimit','clock_gettime64','exit_group'", "SCMP_ACT_ALLOW") "}]}");
  EXPECT_OK ("{" ALLOW ",'syscalls':[" RULE ("'no_such_syscall'", "SCMP_ACT_KILL") "}]}");
}

UNIT_TEST (errno_ret_only_with_errno_or_trace)
{
  EXPECT_ERR ("{" ALLOW ",'syscalls':[" RULE ("'mkdir'", "SCMP_ACT_KILL")
              ",'errnoRet':1}]}",
              "linux.seccomp.syscalls[0].errnoRet: not supported with action \"SCMP_ACT_KILL\"");
  EXPECT_ERR ("{" ALLOW ",'defaultErrnoRet':1}",
              "linux.seccomp.defaultErrnoRet: not supported with action \"SCMP_ACT_ALLOW\"");
  EXPECT_ERR ("{" ALLOW ",'syscalls':[" RULE ("'mkdir'", "SCMP_ACT_ERRNO")
              ",'errnoRet':65536}]}",
              "linux.seccomp.syscalls[0].errnoRet: 65536 out of range (0-65535)");
  EXPECT_OK ("{" ALLOW ",'syscalls':[" RULE ("'mkdir'", "SCMP_ACT_TRACE") ",'errnoRet':5}]}");
  EXPECT_OK ("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,'syscalls':["
             RULE ("'exit_group'", "SCMP_ACT_ALLOW") "}]}");
}

UNIT_TEST (notify_cannot_be_the_default)
{
  EXPECT_ERR ("{'defaultAction':'SCMP_ACT_NOTIFY'}",
              "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
}

UNIT_TEST (rule_with_the_default_action_is_skipped)
{
  /* libseccomp refuses it (EACCES); so does a same-errno ERRNO rule. */
  EXPECT_OK ("{" ALLOW ",'syscalls':[" RULE ("'getpid'", "SCMP_ACT_ALLOW") "}]}");
  EXPECT_OK ("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
             RULE ("'getpid'", "SCMP_ACT_ERRNO") ",'errnoRet':1},"
             RULE ("'exit_group'", "SCMP_ACT_ALLOW") "}]}");
}

UNIT_TEST (same_arg_index_twice_is_accepted)
{
  EXPECT_OK ("{" ALLOW ",'syscalls':[" RULE ("'write'", "SCMP_ACT_ERRNO")
             ",'args':[{'index':0,'value':98,'op':'SCMP_CMP_EQ'},"
             "{'index':0,'value':99,'op':'SCMP_CMP_EQ'}]}]}");
}

UNIT_TEST (docker_profile_prepares)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *spec = parse (DOCKER_PROFILE, &err);
  struct seccomp_filter *f = NULL;

  CHECK_STREQ (err.msg, NULL);
  REQUIRE (spec != NULL);
  CHECK_INTEQ (spec->linux_->seccomp->n_syscalls, 12);
  CHECK (spec->linux_->seccomp->syscalls[0].names.n >= 100);
  CHECK_INTEQ (seccomp_prepare (spec->linux_->seccomp, &f, &err), 0);
  CHECK_STREQ (err.msg, NULL);
  CHECK (f != NULL && !seccomp_has_notify (f));
  seccomp_filter_free (f);
  spec_free (spec);
  sbx_error_free (&err);
}

/* libseccomp 2.5.4 spins without end on this one (found by
   test_seccomp_compose's random profiles; runc hangs on it too): an error
   after the deadline, not a stuck create. */
UNIT_TEST (a_filter_libseccomp_cannot_finish_is_an_error)
{
  sbx_error_t err = { 0, NULL };
  struct seccomp_filter *f = NULL;
  int saved = seccomp_compile_timeout_ms, r;

  seccomp_compile_timeout_ms = 500;
  r = prepare ("{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':["
               "{'names':['mount'],'action':'SCMP_ACT_TRAP','args':[{'index':1,'value':1,'op':'SCMP_CMP_LE'},"
               "{'index':0,'value':268435473,'op':'SCMP_CMP_LT'}]},"
               "{'names':['unshare','getpid'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':2,'op':'SCMP_CMP_LT'},"
               "{'index':0,'value':4294967295,'op':'SCMP_CMP_GE'}]},"
               "{'names':['uname','personality'],'action':'SCMP_ACT_ALLOW'},"
               "{'names':['getcwd','personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':17,"
               "'valueTwo':268435473,'op':'SCMP_CMP_MASKED_EQ'}]},"
               "{'names':['mount'],'action':'SCMP_ACT_TRAP','args':[{'index':0,'value':268435473,'op':'SCMP_CMP_LT'},"
               "{'index':1,'value':16,'valueTwo':4294967313,'op':'SCMP_CMP_MASKED_EQ'}]},"
               "{'names':['socketpair','mount'],'action':'SCMP_ACT_ERRNO','errnoRet':34,'args':[{'index':1,"
               "'value':2114060288,'op':'SCMP_CMP_LT'}]},"
               "{'names':['personality','socketpair','write'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,"
               "'value':268435473,'op':'SCMP_CMP_LE'},{'index':1,'value':10,'valueTwo':4294967295,"
               "'op':'SCMP_CMP_MASKED_EQ'}]},{'names':['socket'],'action':'SCMP_ACT_ALLOW'}]}",
               &f, &err);
  seccomp_compile_timeout_ms = saved;
  CHECK_INTEQ (r, -1);
  CHECK (f == NULL);
  CHECK (err.msg != NULL && strstr (err.msg, "libseccomp did not finish compiling the filter in 500 ms") != NULL);
  if (err.msg != NULL)
    printf ("# %s\n", err.msg);
  sbx_error_free (&err);
}

/* ---- behaviour: a forked child installs the filter ---- */

static char self_exe[4096];
static const char *body_name (int (*body) (int));

/* Prepare in the parent (as sbx does, and where valgrind sees it), then
   run body() in a child that installs the filter: see child_main. Returns
   the child's wait status, or -1. */
static int
run_child (const char *seccomp, int (*body) (int notify_fd))
{
  sbx_error_t err = { 0, NULL };
  struct seccomp_filter *f;
  int status = -1;
  pid_t pid;

  if (prepare (seccomp, &f, &err) < 0)
    {
      printf ("# prepare: %s\n", err.msg ? err.msg : "bad JSON");
      sbx_error_free (&err);
      return -1;
    }
  seccomp_filter_free (f);
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      execl (self_exe, self_exe, "--child", body_name (body), seccomp,
             (char *) NULL);
      _exit (122);
    }
  if (pid > 0)
    while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
      ;
  return status;
}

#define EXITED_WITH(st, code) ((st) != -1 && WIFEXITED (st) && WEXITSTATUS (st) == (code))
#define KILLED_BY(st, sig) ((st) != -1 && WIFSIGNALED (st) && WTERMSIG (st) == (sig))

/* Each failed expectation in a child exits with its own code. */
#define EXPECT_SYS(code, call, want_ret, want_errno)                          \
  do                                                                          \
    {                                                                         \
      errno = 0;                                                              \
      long r_ = (long) (call);                                                \
      if (r_ != (want_ret) || (r_ == -1 && errno != (want_errno)))            \
        return code;                                                          \
    }                                                                         \
  while (0)

static int
body_mkdir (int fd)
{
  (void) fd;
  /* mkdir "/" would fail with EEXIST unfiltered. */
  EXPECT_SYS (1, syscall (SYS_mkdir, "/", 0755), -1, EPERM);
  if (syscall (SYS_getpid) <= 0)
    return 2;
  EXPECT_SYS (3, syscall (SYS_rmdir, "/"), -1, EBUSY);
  return 0;
}

UNIT_TEST (errno_action_defaults_to_eperm)
{
  int st = run_child ("{" ALLOW ",'syscalls':[" RULE ("'mkdir'", "SCMP_ACT_ERRNO") "}]}",
                      body_mkdir);
  CHECK (EXITED_WITH (st, 0));
}

static int
body_mkdir_enosys (int fd)
{
  (void) fd;
  EXPECT_SYS (1, syscall (SYS_mkdir, "/", 0755), -1, ENOSYS);
  EXPECT_SYS (2, syscall (SYS_rmdir, "/"), -1, EBUSY);
  return 0;
}

UNIT_TEST (errno_ret_38_gives_enosys)
{
  int st = run_child ("{" ALLOW ",'syscalls':[" RULE ("'mkdir'", "SCMP_ACT_ERRNO")
                      ",'errnoRet':38}]}", body_mkdir_enosys);
  CHECK (EXITED_WITH (st, 0));
}

static int
body_default_errno (int fd)
{
  (void) fd;
  EXPECT_SYS (1, syscall (SYS_getppid), -1, EIO);
  EXPECT_SYS (2, syscall (SYS_mkdir, "/", 0755), -1, EIO);
  return 0;
}

UNIT_TEST (default_errno_ret_is_used)
{
  int st = run_child ("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':5,"
                      "'syscalls':[" RULE ("'exit_group','exit'", "SCMP_ACT_ALLOW") "}]}",
                      body_default_errno);
  CHECK (EXITED_WITH (st, 0));
}

static int
body_getpid (int fd)
{
  (void) fd;
  syscall (SYS_getpid);
  return 0;
}

UNIT_TEST (kill_actions_end_the_child_with_sigsys)
{
  static const char *const acts[] = { "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL",
                                      "SCMP_ACT_TRAP", "SCMP_ACT_KILL_PROCESS" };
  size_t n = sizeof acts / sizeof acts[0] - !needs_api (3);

  for (size_t i = 0; i < n; i++)
    {
      char *cfg;
      int st;

      if (asprintf (&cfg, "{" ALLOW ",'syscalls':[" RULE ("'getpid'", "%s") "}]}",
                    acts[i]) < 0)
        abort ();
      st = run_child (cfg, body_getpid);
      if (!CHECK (KILLED_BY (st, SIGSYS)))
        printf ("#   %s: wait status 0x%x\n", acts[i], st);
      free (cfg);
    }
}

static void
on_sigsys (int sig, siginfo_t *si, void *uc)
{
  (void) uc;
  _exit (sig == SIGSYS && si->si_code == 1 /* SYS_SECCOMP */
         && si->si_syscall == SYS_getpid ? 42 : 43);
}

static int
body_trap_handled (int fd)
{
  struct sigaction sa;

  (void) fd;
  memset (&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  if (sigaction (SIGSYS, &sa, NULL) < 0)
    return 2;
  syscall (SYS_getpid);
  return 1;
}

UNIT_TEST (trap_delivers_sigsys_with_the_syscall)
{
  int st = run_child ("{" ALLOW ",'syscalls':[" RULE ("'getpid'", "SCMP_ACT_TRAP") "}]}",
                      body_trap_handled);
  CHECK (EXITED_WITH (st, 42));
}

static int
body_write_fd (int fd)
{
  int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  (void) fd;
  if (null < 0)
    return 1;
  EXPECT_SYS (2, write (99, "x", 1), -1, EPERM);
  EXPECT_SYS (3, write (98, "x", 1), -1, EPERM); /* split: OR of rules */
  EXPECT_SYS (4, write (97, "x", 1), -1, EBADF);
  EXPECT_SYS (5, write (null, "x", 1), 1, 0);
  return 0;
}

UNIT_TEST (arg_condition_same_index_twice_is_or)
{
  int st = run_child ("{" ALLOW ",'syscalls':[" RULE ("'write'", "SCMP_ACT_ERRNO")
                      ",'args':[{'index':0,'value':99,'op':'SCMP_CMP_EQ'},"
                      "{'index':0,'value':98,'op':'SCMP_CMP_EQ'}]}]}",
                      body_write_fd);
  CHECK (EXITED_WITH (st, 0));
}

static int
body_personality (int fd)
{
  (void) fd;
  if (personality (0xffffffff) < 0)
    return 1;
  EXPECT_SYS (2, personality (PER_BSD), -1, EPERM);
  return 0;
}

UNIT_TEST (arg_condition_ne)
{
  int st = run_child ("{" ALLOW ",'syscalls':[" RULE ("'personality'", "SCMP_ACT_ERRNO")
                      ",'args':[{'index':0,'value':4294967295,'op':'SCMP_CMP_NE'}]}]}",
                      body_personality);
  CHECK (EXITED_WITH (st, 0));
}

/* Non-overlapping rules on write(fd, buf, count), one errno per operator;
   none of these fds is open, so a write that passes fails with EBADF. */
static int
body_operators (int fd)
{
  static const char b[16];

  (void) fd;
  EXPECT_SYS (1, write (100, b, 1), -1, 101);         /* EQ */
  EXPECT_SYS (2, write (200000, b, 1), -1, 102);      /* GT */
  EXPECT_SYS (3, write (1000, b, 1), -1, EBADF);
  EXPECT_SYS (4, write (0, b, 0), -1, 103);           /* LT */
  EXPECT_SYS (5, write (200, b, 3), -1, 104);         /* EQ + LE */
  EXPECT_SYS (6, write (200, b, 6), -1, EBADF);
  EXPECT_SYS (7, write (201, b, 7), -1, 105);         /* EQ + GE */
  EXPECT_SYS (8, write (201, b, 2), -1, EBADF);
  EXPECT_SYS (9, write (300, b, 1), -1, 106);         /* EQ + NE */
  EXPECT_SYS (10, write (300, b, 4), -1, EBADF);
  EXPECT_SYS (11, write (0x6301, b, 1), -1, 107);     /* MASKED_EQ */
  EXPECT_SYS (12, write (0x6401, b, 1), -1, EBADF);
  return 0;
}

#define WRITE_IF(e, args) RULE ("'write'", "SCMP_ACT_ERRNO") ",'errnoRet':" #e ",'args':[" args "]}"
#define ARG(i, v, op) "{'index':" #i ",'value':" #v ",'op':'SCMP_CMP_" #op "'}"

UNIT_TEST (every_operator_filters)
{
  int st = run_child ("{" ALLOW ",'syscalls':["
                      WRITE_IF (101, ARG (0, 100, EQ)) ","
                      WRITE_IF (102, ARG (0, 100000, GT)) ","
                      WRITE_IF (103, ARG (0, 3, LT)) ","
                      WRITE_IF (104, ARG (0, 200, EQ) "," ARG (2, 5, LE)) ","
                      WRITE_IF (105, ARG (0, 201, EQ) "," ARG (2, 5, GE)) ","
                      WRITE_IF (106, ARG (0, 300, EQ) "," ARG (2, 4, NE)) ","
                      WRITE_IF (107, "{'index':0,'value':65280,'valueTwo':25344,"
                                     "'op':'SCMP_CMP_MASKED_EQ'}") "]}",
                      body_operators);
  CHECK (EXITED_WITH (st, 0));
}

static int
body_notify (int fd)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  int st;
  pid_t pid;

  if (fd < 0)
    return 1;
  pid = fork ();                /* the grandchild inherits the filter */
  if (pid == 0)
    {
      long r = syscall (SYS_mkdir, "/", 0755);
      _exit (r == -1 && errno == EXDEV ? 0 : 1);
    }
  memset (&req, 0, sizeof req);
  if (pid < 0 || ioctl (fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
    return 2;
  if (req.data.nr != SYS_mkdir || (pid_t) req.pid != pid)
    return 3;
  memset (&resp, 0, sizeof resp);
  resp.id = req.id;
  resp.error = -EXDEV;
  if (ioctl (fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
    return 4;
  if (waitpid (pid, &st, 0) != pid || !WIFEXITED (st) || WEXITSTATUS (st) != 0)
    return 5;
  return 0;
}

UNIT_TEST (notify_returns_a_working_listener)
{
  int st;

  if (!needs_api (5))
    return;
  st = run_child ("{" ALLOW ",'syscalls':[" RULE ("'mkdir'", "SCMP_ACT_NOTIFY") "}]}",
                      body_notify);
  CHECK (EXITED_WITH (st, 0));
}

static int
body_no_notify_fd (int fd)
{
  return fd == -1 ? 0 : 1;
}

UNIT_TEST (no_listener_without_notify)
{
  int st = run_child ("{" ALLOW ",'syscalls':[" RULE ("'mkdir'", "SCMP_ACT_ERRNO") "}]}",
                      body_no_notify_fd);
  CHECK (EXITED_WITH (st, 0));
  /* A NOTIFY rule whose names are all unknown adds nothing. */
  if (!needs_api (5))
    return;
  st = run_child ("{" ALLOW ",'syscalls':[" RULE ("'no_such_syscall'", "SCMP_ACT_NOTIFY") "}]}",
                  body_no_notify_fd);
  CHECK (EXITED_WITH (st, 0));
}

static int
body_docker (int fd)
{
  (void) fd;
  if (syscall (SYS_getpid) <= 0)
    return 1;
  EXPECT_SYS (2, syscall (SYS_mkdir, "/", 0755), -1, EEXIST);    /* allowed */
  EXPECT_SYS (3, syscall (SYS_acct, NULL), -1, EPERM);           /* default */
  EXPECT_SYS (4, syscall (SYS_clone3, NULL, 0), -1, ENOSYS);     /* errnoRet 38 */
  if (personality (0xffffffff) < 0)
    return 5;
  EXPECT_SYS (6, personality (PER_BSD), -1, EPERM);
  /* clone with a namespace flag: (flags & 0x7E020000) != 0 -> default. */
  long r = syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (r == 0)
    _exit (99);
  if (r != -1 || errno != EPERM)
    return 7;
  return 0;
}

UNIT_TEST (docker_profile_filters)
{
  int st = run_child (DOCKER_PROFILE, body_docker);
  if (!CHECK (EXITED_WITH (st, 0)))
    printf ("#   wait status 0x%x\n", st);
}

#define BODY(fn) { #fn, fn }
static const struct
{
  const char *name;
  int (*fn) (int);
} bodies[] = {
  BODY (body_mkdir), BODY (body_mkdir_enosys), BODY (body_default_errno),
  BODY (body_getpid), BODY (body_trap_handled), BODY (body_write_fd),
  BODY (body_personality), BODY (body_operators), BODY (body_notify),
  BODY (body_no_notify_fd), BODY (body_docker),
};

static const char *
body_name (int (*body) (int))
{
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
    if (bodies[i].fn == body)
      return bodies[i].name;
  abort ();
}

/* The child execs a fresh copy of this program, so that it runs natively
   even under valgrind: valgrind's own syscalls would meet the filter.
   Like an unprivileged sbx, it sets no_new_privs before installing. */
static int
child_main (const char *body, const char *seccomp)
{
  sbx_error_t err = { 0, NULL };
  struct rlimit no_core = { 0, 0 };
  struct seccomp_filter *f;
  int fd;

  /* A killed child must not write a core file; a hung one dies. */
  setrlimit (RLIMIT_CORE, &no_core);
  alarm (10);
  if (prepare (seccomp, &f, &err) < 0)
    return 120;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return 121;
  if (seccomp_install (f, &fd, &err) < 0)
    {
      dprintf (1, "# install: %s\n", err.msg);
      return 122;
    }
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
    if (strcmp (bodies[i].name, body) == 0)
      _exit (bodies[i].fn (fd));
  return 123;
}

int
main (int argc, char **argv)
{
  ssize_t n;

  if (argc == 4 && strcmp (argv[1], "--child") == 0)
    return child_main (argv[2], argv[3]);
  n = readlink ("/proc/self/exe", self_exe, sizeof self_exe - 1);
  if (n <= 0)
    return 1;
  self_exe[n] = '\0';
  return unit_main ();
}
