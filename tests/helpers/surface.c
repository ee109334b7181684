/* surface: the kernel attack surface a container leaves open, for
 * tests/engines/surface.bats and bench/surface.sh. Tries, each in a child of
 * its own (so that a seccomp kill or a hang is contained), the first step
 * of the kernel exploits used to escape containers, and prints one line
 * each: "NAME allowed", "NAME denied ERRNO" or "NAME killed SIGNAL".
 * Built static; nothing here decides whether a test passes.
 *
 * Safe to run anywhere, as root on a host too: every call that would
 * change something on success is made so that it fails right after the
 * permission and filter checks (mount of a filesystem type that does not
 * exist: ENODEV means the call got through; kexec_load with bad flags:
 * EINVAL likewise), or changes only the child that makes it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

static long
t_userns (void)
{
  return unshare (CLONE_NEWUSER);
}

static long
t_io_uring (void)
{
  char params[120] = { 0 };
  return syscall (425 /* io_uring_setup */, 1, params);
}

static long
t_bpf (void)
{
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_ARRAY;
  a.key_size = 4;
  a.value_size = 4;
  a.max_entries = 1;
  return syscall (SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
}

static long
t_keyctl (void)
{
  return syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
}

static long
t_add_key (void)
{
  return syscall (SYS_add_key, "user", "surface", "x", 1, KEY_SPEC_PROCESS_KEYRING);
}

static long
t_userfaultfd (void)
{
  return syscall (SYS_userfaultfd, 0);
}

static long
t_perf (void)
{
  struct perf_event_attr a;
  memset (&a, 0, sizeof a);
  a.type = PERF_TYPE_SOFTWARE;
  a.size = sizeof a;
  a.config = PERF_COUNT_SW_CPU_CLOCK;
  a.exclude_kernel = 1;
  return syscall (SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long
t_fsopen (void)
{
  return syscall (SYS_fsopen, "tmpfs", 0);
}

/* ENODEV: past the capability check and any filter, refused only for the
   made-up type: the call is open to the container. */
static long
t_mount (void)
{
  long r = mount ("none", "/", "sbx-surface-no-such-fs", MS_NOSUID, NULL);
  if (r < 0 && errno == ENODEV)
    return 0;
  return r < 0 ? r : (errno = 0, 0);
}

static long
t_sock (int fam, int type, int proto)
{
  return socket (fam, type, proto);
}
static long t_packet (void) { return t_sock (AF_PACKET, SOCK_RAW, 0); }
static long t_alg (void) { return t_sock (AF_ALG, SOCK_SEQPACKET, 0); }
static long t_vsock (void) { return t_sock (AF_VSOCK, SOCK_STREAM, 0); }
static long t_nf (void) { return t_sock (AF_NETLINK, SOCK_RAW, 12 /* NETLINK_NETFILTER */); }

static long
t_ptrace (void)
{
  pid_t c = fork ();
  long r;
  if (c == 0)
    {
      pause ();
      _exit (0);
    }
  r = ptrace (PTRACE_ATTACH, c, 0, 0);
  kill (c, SIGKILL);
  waitpid (c, NULL, 0);
  return r;
}

static long
t_vm_writev (void)
{
  char a[8] = "abc", b[8];
  struct iovec l = { a, 4 }, r = { b, 4 };
  return syscall (SYS_process_vm_writev, getpid (), &l, 1, &r, 1, 0);
}

static long
t_modify_ldt (void)
{
  char buf[16];
  return syscall (SYS_modify_ldt, 0, buf, sizeof buf);
}

static long
t_personality (void)
{
  long r = syscall (SYS_personality, READ_IMPLIES_EXEC);
  if (r >= 0 && (syscall (SYS_personality, 0xffffffff) & READ_IMPLIES_EXEC) == 0)
    return errno = EPERM, -1;
  return r;
}

static long
t_open_by_handle (void)
{
  struct
  {
    unsigned int bytes;
    int type;
    unsigned char h[8];
  } fh = { 8, 1, { 2, 0, 0, 0, 0, 0, 0, 0 } };
  long r = syscall (SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY);
  /* the call got through: a bad handle is the kernel's answer, not a filter's */
  if (r < 0 && (errno == ESTALE || errno == EINVAL || errno == EBADF))
    return 0;
  return r;
}

/* Bad flags: EINVAL comes after the CAP_SYS_BOOT check and any filter. */
static long
t_kexec (void)
{
  long r = syscall (SYS_kexec_load, 0, 0, NULL, 0x7ead0000UL);
  if (r < 0 && errno == EINVAL)
    return 0;
  return r;
}

static long
t_compat (void)
{
  long r;
  /* getpid (20) through the i386 entry point */
  __asm__ volatile ("int $0x80" : "=a"(r) : "a"(20L) : "memory");
  if (r < 0)
    return errno = (int) -r, -1;
  return 0;
}

static long
t_x32 (void)
{
  return syscall (0x40000000L | 39 /* getpid via the x32 ABI */);
}

static const struct
{
  const char *name;
  long (*fn) (void);
} tests[] = {
  { "unshare-userns", t_userns }, { "io_uring_setup", t_io_uring }, { "bpf", t_bpf },
  { "keyctl", t_keyctl },         { "add_key", t_add_key },         { "userfaultfd", t_userfaultfd },
  { "perf_event_open", t_perf },  { "fsopen", t_fsopen },           { "mount", t_mount },
  { "socket-AF_PACKET", t_packet }, { "socket-AF_ALG", t_alg },     { "socket-AF_VSOCK", t_vsock },
  { "socket-NETLINK_NETFILTER", t_nf }, { "ptrace", t_ptrace },     { "process_vm_writev", t_vm_writev },
  { "modify_ldt", t_modify_ldt }, { "personality-READ_IMPLIES_EXEC", t_personality },
  { "open_by_handle_at", t_open_by_handle }, { "kexec_load", t_kexec },
  { "compat-int80", t_compat },   { "x32-syscall", t_x32 },
};

int
main (int argc, char **argv)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
    {
      int p[2], st = 0;
      pid_t c;
      if (argc > 1 && strcmp (argv[1], tests[i].name) != 0)
        continue;
      if (pipe (p) < 0)
        return 1;
      c = fork ();
      if (c == 0)
        {
          long r;
          int e;
          close (p[0]);
          alarm (5);
          errno = 0;
          r = tests[i].fn ();
          e = errno;
          dprintf (p[1], "%s", r < 0 ? (strerrorname_np (e) ? strerrorname_np (e) : "E?") : "");
          _exit (r < 0 ? 1 : 0);
        }
      close (p[1]);
      char buf[64] = "";
      ssize_t n = read (p[0], buf, sizeof buf - 1);
      close (p[0]);
      buf[n > 0 ? n : 0] = '\0';
      waitpid (c, &st, 0);
      if (WIFSIGNALED (st))
        printf ("%s killed %s\n", tests[i].name, sigabbrev_np (WTERMSIG (st)) ? sigabbrev_np (WTERMSIG (st)) : "?");
      else if (WEXITSTATUS (st) == 0)
        printf ("%s allowed\n", tests[i].name);
      else
        printf ("%s denied %s\n", tests[i].name, buf);
    }
  return 0;
}
