/* test_bpf_devices_kernel.c: as root on a cgroup v2 hierarchy, the device
 * program attached to a real cgroup with a child checking what it may
 * open and mknod, replaced, and walked by the verifier once. Skipped (and
 * shown as such) where the kernel cannot load a device program. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf-devices.h"
#include "cleanup.h"
#include "spec.h"
#include "unit.h"
#include "bpf_devices_fixture.h"

/* ---- Against the kernel ---- */

/* A device program loaded; with LOG, the verifier's statistics in it. */
static int
load_prog (const struct bpf_insn *insns, size_t n, char *log, size_t log_size)
{
  union bpf_attr attr;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = (uint32_t) n;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  if (log != NULL)
    {
      log[0] = '\0';
      attr.log_buf = (uint64_t) (uintptr_t) log;
      attr.log_size = (uint32_t) log_size;
      attr.log_level = 4; /* the statistics only */
    }
  return (int) syscall (__NR_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
}

/* r0 = 1; exit */
static const struct bpf_insn allow_all[2] = {
  { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
  { .code = BPF_JMP | BPF_EXIT },
};

static const char *
skip_reason (void)
{
  static char why[256];
  int fd;

  if (geteuid () != 0)
    return "not root";
  fd = load_prog (allow_all, 2, NULL, 0);
  if (fd < 0)
    {
      snprintf (why, sizeof why, "cannot load a device program: %s",
                strerror (errno));
      return why;
    }
  close (fd);
  return NULL;
}

static const char *
v2_root (void)
{
  static const char *const cands[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
  for (size_t i = 0; i < 2; i++)
    {
      struct statfs s;
      if (statfs (cands[i], &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC)
        return cands[i];
    }
  return NULL;
}

/* EXPECT_NOT_EPERM: the cgroup lets it through; the driver may still fail
   (a tun node without the tun module gives ENODEV). */
enum { EXPECT_OK, EXPECT_EPERM, EXPECT_NOT_EPERM };
enum { OP_OPEN, OP_MKNOD };
struct probe
{
  int op;
  const char *path;
  unsigned maj, min; /* for mknod, or the expected device for open */
  int flags;
  int expect;
};

/* Run in a child moved into the cgroup; return how many probes failed,
 * each explained on a "# " line. Probes of absent devices are skipped. */
static int
probe_in_cgroup (const char *cg, const struct probe *pr, size_t n)
{
  char procs[512], tmp[] = "/tmp/sbx-bpf-XXXXXX";
  int go[2], res[2], failed = 0;
  pid_t pid;

  if (mkdtemp (tmp) == NULL || pipe (go) < 0 || pipe (res) < 0)
    return 1;
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      char c, node[600];
      int bad = 0;
      close (go[1]);
      if (read (go[0], &c, 1) != 1)
        _exit (100);
      for (size_t i = 0; i < n; i++)
        {
          struct stat st;
          int rc, e = 0;
          if (pr[i].op == OP_OPEN)
            {
              if (stat (pr[i].path, &st) < 0 || !S_ISCHR (st.st_mode)
                  || major (st.st_rdev) != pr[i].maj
                  || minor (st.st_rdev) != pr[i].min)
                continue;
              rc = open (pr[i].path, pr[i].flags);
              e = errno;
              if (rc >= 0)
                close (rc);
            }
          else
            {
              snprintf (node, sizeof node, "%s/n%zu", tmp, i);
              rc = mknod (node, S_IFCHR | 0600, makedev (pr[i].maj, pr[i].min));
              e = errno;
              unlink (node);
            }
          if (pr[i].expect == EXPECT_OK           ? rc < 0
              : pr[i].expect == EXPECT_NOT_EPERM ? rc < 0 && e == EPERM
                                                 : !(rc < 0 && e == EPERM))
            {
              printf ("# %s %s (%u:%u): got %s, want %s\n",
                      pr[i].op == OP_OPEN ? "open" : "mknod", pr[i].path,
                      pr[i].maj, pr[i].min, rc < 0 ? strerror (e) : "success",
                      pr[i].expect == EXPECT_OK          ? "success"
                      : pr[i].expect == EXPECT_NOT_EPERM ? "no EPERM"
                                                         : "EPERM");
              bad++;
            }
        }
      fflush (stdout);
      _exit (bad);
    }
  close (go[0]);
  close (res[0]);
  close (res[1]);
  if (pid < 0)
    return 1;
  snprintf (procs, sizeof procs, "%s/cgroup.procs", cg);
  int fd = open (procs, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || dprintf (fd, "%d\n", pid) < 0)
    {
      printf ("# move child into %s: %s\n", cg, strerror (errno));
      failed = 1;
      kill (pid, SIGKILL);
    }
  if (fd >= 0)
    close (fd);
  if (write (go[1], "g", 1) != 1)
    failed = 1;
  close (go[1]);
  int status;
  if (waitpid (pid, &status, 0) < 0 || !WIFEXITED (status))
    failed = 1;
  else
    failed += WEXITSTATUS (status);
  rmdir (tmp);
  return failed;
}

static size_t
n_attached_flags (int cgfd, uint32_t *flags)
{
  sbx_error_t err = { 0 };
  uint32_t *ids = NULL;
  size_t n = 0;

  if (bpf_devices_query (cgfd, &ids, &n, flags, &err) < 0)
    {
      printf ("# %s\n", err.msg);
      n = (size_t) -1;
    }
  free (ids);
  sbx_error_free (&err);
  return n;
}

static size_t
n_attached (int cgfd)
{
  uint32_t flags = 0;
  size_t n = n_attached_flags (cgfd, &flags);

  if (n != (size_t) -1 && flags != BPF_F_ALLOW_MULTI)
    printf ("# attach flags %#x, want BPF_F_ALLOW_MULTI\n", flags);
  return flags == BPF_F_ALLOW_MULTI ? n : (size_t) -1;
}

static int
attach_allow_all (int cgfd)
{
  union bpf_attr attr;
  _cleanup_fd_ int fd = load_prog (allow_all, 2, NULL, 0);

  if (fd < 0)
    return -1;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgfd;
  attr.attach_bpf_fd = (uint32_t) fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  return (int) syscall (__NR_bpf, BPF_PROG_ATTACH, &attr, sizeof attr);
}

static int
detach_all (int cgfd)
{
  sbx_error_t err = { 0 };
  uint32_t *ids = NULL;
  size_t n = 0;
  int rc = bpf_devices_query (cgfd, &ids, &n, NULL, &err);

  for (size_t i = 0; rc == 0 && i < n; i++)
    {
      union bpf_attr attr;
      int fd;
      memset (&attr, 0, sizeof attr);
      attr.prog_id = ids[i];
      fd = (int) syscall (__NR_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof attr);
      memset (&attr, 0, sizeof attr);
      attr.target_fd = (uint32_t) cgfd;
      attr.attach_bpf_fd = (uint32_t) fd;
      attr.attach_type = BPF_CGROUP_DEVICE;
      if (fd < 0 || syscall (__NR_bpf, BPF_PROG_DETACH, &attr, sizeof attr) < 0)
        rc = -1;
      if (fd >= 0)
        close (fd);
    }
  free (ids);
  sbx_error_free (&err);
  return rc;
}

/* Registered from main() so that a skip shows as "ok N - name # SKIP". */
static const char *kernel_skip;

static void
kernel_enforces_and_replaces (void)
{
  static const struct probe first[] = {
    { OP_OPEN, "/dev/null", 1, 3, O_RDWR, EXPECT_OK },
    { OP_OPEN, "/dev/zero", 1, 5, O_RDONLY, EXPECT_OK },
    { OP_OPEN, "/dev/full", 1, 7, O_WRONLY, EXPECT_OK },
    /* mknod of anything is a default (runc's); opening is what is denied */
    { OP_MKNOD, "mem", 1, 1, 0, EXPECT_OK },
    { OP_MKNOD, "fuse", 10, 229, 0, EXPECT_OK },
    { OP_OPEN, "/dev/kmsg", 1, 11, O_RDONLY, EXPECT_EPERM },
    { OP_OPEN, "/dev/mem", 1, 1, O_RDONLY, EXPECT_EPERM },
    { OP_OPEN, "/dev/net/tun", 10, 200, O_RDWR, EXPECT_NOT_EPERM },
    { OP_OPEN, "/dev/fuse", 10, 229, O_RDWR, EXPECT_EPERM },
  };
  static const struct probe second[] = {
    { OP_OPEN, "/dev/null", 1, 3, O_RDWR, EXPECT_OK },
    { OP_OPEN, "/dev/kmsg", 1, 11, O_RDONLY, EXPECT_OK },
    { OP_OPEN, "/dev/kmsg", 1, 11, O_WRONLY, EXPECT_EPERM },
    { OP_OPEN, "/dev/mem", 1, 1, O_RDONLY, EXPECT_EPERM },
  };
  struct bpf_dev_rule kmsg_r = { 'c', 1, 11, BPF_DEV_READ, true };
  const char *root = v2_root ();
  sbx_error_t err = { 0 };
  struct bpf_dev_rule *r = NULL;
  size_t n = 0;
  uint32_t flags = 0;
  char cg[256];
  _cleanup_fd_ int cgfd = -1;

  if (kernel_skip != NULL)
    {
      printf ("# skip kernel_enforces_and_replaces: %s\n", kernel_skip);
      return;
    }
  snprintf (cg, sizeof cg, "%s/sbx-test-bpf-%d", root, (int) getpid ());
  REQUIRE (mkdir (cg, 0755) == 0 || errno == EEXIST);
  cgfd = open (cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgfd < 0)
    goto out;

  if (!CHECK (bpf_devices_rules (docker_rules, N_DOCKER, NULL, 0, NULL, 0, &r, &n, &err) == 0)
      || !CHECK (bpf_devices_apply (cgfd, r, n, &err) == 0))
    {
      printf ("# %s\n", err.msg);
      goto out;
    }
  free (r);
  r = NULL;
  CHECK_INTEQ (n_attached (cgfd), 1);
  CHECK_INTEQ (probe_in_cgroup (cg, first, sizeof first / sizeof first[0]), 0);

  /* Replace: an extra rule granting read of c 1:11 (/dev/kmsg). */
  if (!CHECK (bpf_devices_rules (docker_rules, N_DOCKER, NULL, 0, &kmsg_r, 1, &r, &n, &err) == 0)
      || !CHECK (bpf_devices_apply (cgfd, r, n, &err) == 0))
    printf ("# %s\n", err.msg);
  CHECK_INTEQ (n_attached (cgfd), 1);
  CHECK_INTEQ (probe_in_cgroup (cg, second, sizeof second / sizeof second[0]), 0);
  free (r);
  r = NULL;

  /* A large rule set must get through the verifier too. */
  r = calloc (600, sizeof *r);
  if (r != NULL)
    {
      for (size_t i = 0; i < 600; i++)
        r[i] = (struct bpf_dev_rule){ "acb"[i % 3], (int64_t) (i % 50),
                                      i % 7 ? (int64_t) i : -1,
                                      (unsigned) (i % 7) + 1, i % 2 == 0 };
      if (!CHECK (bpf_devices_apply (cgfd, r, 600, &err) == 0))
        printf ("# %s\n", err.msg);
      CHECK_INTEQ (n_attached (cgfd), 1);
    }

  /* Someone attached a single program without BPF_F_ALLOW_MULTI: it is
   * replaced in place. */
  CHECK (detach_all (cgfd) == 0);
  CHECK (attach_allow_all (cgfd) == 0);
  CHECK_INTEQ (n_attached_flags (cgfd, &flags), 1);
  CHECK_INTEQ (flags, 0);
  free (r);
  r = NULL;
  if (!CHECK (bpf_devices_rules (docker_rules, N_DOCKER, NULL, 0, NULL, 0, &r, &n, &err) == 0)
      || !CHECK (bpf_devices_apply (cgfd, r, n, &err) == 0))
    printf ("# %s\n", err.msg);
  flags = 1;
  CHECK_INTEQ (n_attached_flags (cgfd, &flags), 1);
  CHECK_INTEQ (flags, 0);
  CHECK_INTEQ (probe_in_cgroup (cg, first, sizeof first / sizeof first[0]), 0);

out:
  free (r);
  sbx_error_free (&err);
  for (int i = 0; i < 50 && rmdir (cg) < 0 && errno == EBUSY; i++)
    usleep (20000);
  CHECK (access (cg, F_OK) < 0);
}

/* How many instructions the verifier walked to load the program of
   these rules; 0 when it could not be loaded. */
static unsigned
verifier_walked (const struct bpf_dev_rule *r, size_t n, size_t *n_insns)
{
  static char log[64 * 1024];
  struct bpf_insn *insns = NULL;
  sbx_error_t err = { 0 };
  unsigned walked = 0;
  const char *at;
  int fd;

  if (bpf_devices_program (r, n, &insns, n_insns, &err) < 0)
    {
      printf ("# %s\n", err.msg);
      sbx_error_free (&err);
      return 0;
    }
  fd = load_prog (insns, *n_insns, log, sizeof log);
  if (fd >= 0 && (at = strstr (log, "processed ")) != NULL)
    walked = (unsigned) strtoul (at + 10, NULL, 10);
  if (fd >= 0)
    close (fd);
  else
    printf ("# load: %s\n", strerror (errno));
  free (insns);
  return walked;
}

/* The program is one straight line, so the verifier's work is its length,
   not a product of its rules: each instruction walked once. (A mask made
   with s>>63 instead of >>63 and a multiplication made Linux 6.18's
   verifier walk both of its values at the AND after it, each rule
   doubling the paths.) */
static void
verifier_walks_each_instruction_once (void)
{
  struct bpf_dev_rule *r = NULL, *big;
  size_t n = 0, n_insns = 0;
  sbx_error_t err = { 0 };
  unsigned w;

  if (kernel_skip != NULL)
    {
      printf ("# skip verifier_walks_each_instruction_once: %s\n", kernel_skip);
      return;
    }
  REQUIRE (bpf_devices_rules (docker_rules, N_DOCKER, NULL, 0, NULL, 0, &r, &n, &err) == 0);
  w = verifier_walked (r, n, &n_insns);
  printf ("# Docker's list: %zu rules, %zu instructions, %u walked\n", n, n_insns, w);
  CHECK (w > 0 && w <= n_insns);
  free (r);
  REQUIRE (bpf_devices_rules (NULL, 0, NULL, 0, NULL, 0, &r, &n, &err) == 0);
  w = verifier_walked (r, n, &n_insns);
  CHECK (w > 0 && w <= n_insns);
  free (r);
  big = calloc (600, sizeof *big);
  REQUIRE (big != NULL);
  for (size_t i = 0; i < 600; i++)
    big[i] = (struct bpf_dev_rule){ "acb"[i % 3], (int64_t) (i % 50), i % 7 ? (int64_t) i : -1,
                                    (unsigned) (i % 7) + 1, i % 2 == 0 };
  w = verifier_walked (big, 600, &n_insns);
  printf ("# 600 rules: %zu instructions, %u walked\n", n_insns, w);
  CHECK (w > 0 && w <= n_insns);
  free (big);
}

int
main (void)
{
  static char name[320], name2[320];

  kernel_skip = skip_reason ();
  if (kernel_skip == NULL && v2_root () == NULL)
    kernel_skip = "no cgroup v2 hierarchy mounted";
  if (kernel_skip != NULL)
    snprintf (name, sizeof name, "kernel_enforces_and_replaces # SKIP %s",
              kernel_skip);
  else
    snprintf (name, sizeof name, "kernel_enforces_and_replaces");
  unit_register_ (name, kernel_enforces_and_replaces, __LINE__);
  snprintf (name2, sizeof name2, "verifier_walks_each_instruction_once%s%s",
            kernel_skip != NULL ? " # SKIP " : "", kernel_skip != NULL ? kernel_skip : "");
  unit_register_ (name2, verifier_walks_each_instruction_once, __LINE__);
  return unit_main ();
}
