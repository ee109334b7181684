/* bpf-devices.c: the device allow-list on cgroup v2. Folds
 * linux.resources.devices and sbx's defaults into rules, emits a
 * BPF_PROG_TYPE_CGROUP_DEVICE program for them by hand (no libbpf, no
 * clang), loads it with bpf(2) and swaps it in on the cgroup. Creating the
 * cgroup and the /dev nodes is cgroup.c's and devices.c's business. */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf-devices.h"
#include "cleanup.h"
#include "error.h"
#include "log.h"
#include "spec.h"

/* Offsets in struct bpf_cgroup_dev_ctx. */
#define CTX_ACCESS_TYPE 0
#define CTX_MAJOR 4
#define CTX_MINOR 8

/* A bound of our own (the program has no jump to keep in range; the
 * kernel takes up to a million instructions from a privileged loader). */
#define MAX_INSNS 65536

/* What every container gets, as in runc (libcontainer/specconv's
 * AllowedDevices). They come after the config's rules, so they win:
 * mknod of any node is allowed (a node does nothing until it is opened,
 * and opening is what the list guards), and so is /dev/net/tun,
 * open to containers since Docker's early days (runc dropped it in 1.2.0,
 * opencontainers/runc#3468, and restored it in 1.2.4, #4555). As in runc,
 * a default with a path is dropped when linux.devices lists that path: the
 * config's node then gets only what linux.resources.devices allows. No
 * /dev/console (5:1): runc has none either, and the container's console is
 * a pty (136:*). */
static const struct
{
  const char *path;
  struct bpf_dev_rule rule;
} default_rules[] = {
  { NULL, { 'c', -1, -1, BPF_DEV_MKNOD, true } }, /* mknod of any char device */
  { NULL, { 'b', -1, -1, BPF_DEV_MKNOD, true } }, /* mknod of any block device */
  { "/dev/null", { 'c', 1, 3, BPF_DEV_RWM, true } },
  { "/dev/zero", { 'c', 1, 5, BPF_DEV_RWM, true } },
  { "/dev/full", { 'c', 1, 7, BPF_DEV_RWM, true } },
  { "/dev/random", { 'c', 1, 8, BPF_DEV_RWM, true } },
  { "/dev/urandom", { 'c', 1, 9, BPF_DEV_RWM, true } },
  { "/dev/tty", { 'c', 5, 0, BPF_DEV_RWM, true } },
  { NULL, { 'c', 5, 2, BPF_DEV_RWM, true } },    /* ptmx */
  { NULL, { 'c', 136, -1, BPF_DEV_RWM, true } }, /* pts */
  { NULL, { 'c', 10, 200, BPF_DEV_RWM, true } }, /* net/tun */
};
#define N_DEFAULTS (sizeof default_rules / sizeof default_rules[0])

static int
parse_access (const char *s, unsigned *out)
{
  unsigned a = 0;

  if (s == NULL)
    s = "rwm";
  /* "" is accepted as "no access": the rule then matches nothing. */
  for (; *s != '\0'; s++)
    switch (*s)
      {
      case 'r': a |= BPF_DEV_READ; break;
      case 'w': a |= BPF_DEV_WRITE; break;
      case 'm': a |= BPF_DEV_MKNOD; break;
      default: return -1;
      }
  *out = a;
  return 0;
}

/* -1 stays the wildcard (runc treats an explicit -1 that way). Real device
 * numbers are 12 (major) and 20 (minor) bits; anything past INT32_MAX is
 * refused so it fits a sign-extended jump immediate. */
static int
parse_number (bool has, int64_t v, int64_t *out)
{
  if (!has)
    v = -1;
  if (v < -1 || v > INT32_MAX)
    return -1;
  *out = v;
  return 0;
}

static bool
listed (const char *path, const struct spec_device *nodes, size_t n)
{
  for (size_t i = 0; path != NULL && i < n; i++)
    if (nodes[i].path != NULL && strcmp (nodes[i].path, path) == 0)
      return true;
  return false;
}

int
bpf_devices_rules (const struct spec_device_cgroup *rules, size_t n,
                   const struct spec_device *nodes, size_t n_nodes,
                   const struct bpf_dev_rule *extra, size_t n_extra,
                   struct bpf_dev_rule **out, size_t *n_out, sbx_error_t *err)
{
  _cleanup_free_ struct bpf_dev_rule *v = NULL;
  size_t i, k = 0;

  v = calloc (n + N_DEFAULTS + n_extra, sizeof *v);
  if (v == NULL)
    return sbx_error_sys (err, ENOMEM, "device rules");
  for (i = 0; i < n; i++, k++)
    {
      const struct spec_device_cgroup *d = &rules[i];
      const char *t = d->type != NULL ? d->type : "a";

      if (strcmp (t, "a") != 0 && strcmp (t, "c") != 0 && strcmp (t, "b") != 0)
        return sbx_error_set (err, EINVAL,
                              "linux.resources.devices[%zu].type: invalid "
                              "device type `%s` (want a, c or b)", i, t);
      if (parse_access (d->access, &v[k].access) < 0)
        return sbx_error_set (err, EINVAL,
                              "linux.resources.devices[%zu].access: invalid "
                              "access `%s` (want letters of rwm)", i,
                              d->access);
      if (parse_number (d->has_major, d->major, &v[k].major) < 0)
        return sbx_error_set (err, ERANGE,
                              "linux.resources.devices[%zu].major: %" PRId64
                              " out of range", i, d->major);
      if (parse_number (d->has_minor, d->minor, &v[k].minor) < 0)
        return sbx_error_set (err, ERANGE,
                              "linux.resources.devices[%zu].minor: %" PRId64
                              " out of range", i, d->minor);
      v[k].type = t[0];
      v[k].allow = d->allow;
    }
  for (i = 0; i < N_DEFAULTS; i++)
    if (!listed (default_rules[i].path, nodes, n_nodes))
      v[k++] = default_rules[i].rule;
  if (n_extra > 0)
    memcpy (v + k, extra, n_extra * sizeof *extra);
  *n_out = k + n_extra;
  *out = take_ptr (&v);
  return 0;
}

/* ---- Program generation ----
 *
 * Semantics: a request (type, major, minor, access bits) is allowed when,
 * for EACH access bit it asks for, the last rule that matches the device and
 * has that bit is an allow rule; no such rule means deny. Deciding bit by bit
 * is what makes "deny c 1:3 w" block open(O_RDWR) while "allow c 1:3 r" plus
 * "allow c 1:3 w" permit it, as the kernel's own cgroup v1 list does.
 *
 * Encoding: one straight line, no branch. r2 = type, r3 = access bits,
 * r4 = major, r5 = minor; r6 = the bits allowed so far (none at first).
 * Each rule, in config order, finds whether it matches the device as a
 * mask (all ones or zero) and sets or clears its bits in r6 under it:
 *
 *   r9 = (r2 ^ type) | (r4 ^ major) | (r5 ^ minor)   (a wildcard left out)
 *   r9 = (r9 - 1) s>> 63                all ones when each was equal
 *   r9 &= bits
 *   allow: r6 |= r9                 deny: r6 &= ~r9
 *   end:   r0 = ((r3 & ~r6) - 1) >> 63   1 when no asked bit is denied
 *
 * A rule that matches every device decides the bits it carries: the rules
 * before it leave those out, and a rule left with none is left out.
 *
 * A branch costs the verifier a state to walk and to compare: the
 * branching program this replaces (three jumps a rule) took 0.5-0.6 ms to
 * load with the 11 default rules, a fifth of `sbx run /bin/true`. A
 * straight line is walked once. */

struct prog
{
  struct bpf_insn *v;
  size_t n;
};

static void
emit (struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int32_t imm)
{
  struct bpf_insn *i = &p->v[p->n++];

  memset (i, 0, sizeof *i);
  i->code = code;
  i->dst_reg = dst & 0xf;
  i->src_reg = src & 0xf;
  i->imm = imm;
}

static void
emit_load (struct prog *p, uint8_t dst, int16_t off)
{
  emit (p, BPF_LDX | BPF_W | BPF_MEM, dst, BPF_REG_1, 0);
  p->v[p->n - 1].off = off;
}

static int
rule_check (const struct bpf_dev_rule *r, size_t i, sbx_error_t *err)
{
  if (r->type != 'a' && r->type != 'c' && r->type != 'b')
    return sbx_error_set (err, EINVAL, "device rule %zu: invalid type %#x "
                          "(want 'a', 'c' or 'b')", i, (unsigned char) r->type);
  if ((r->access & ~(unsigned) BPF_DEV_RWM) != 0)
    return sbx_error_set (err, EINVAL, "device rule %zu: invalid access %#x",
                          i, r->access);
  if (r->major < -1 || r->major > INT32_MAX || r->minor < -1
      || r->minor > INT32_MAX)
    return sbx_error_set (err, ERANGE, "device rule %zu: device number out "
                          "of range", i);
  return 0;
}

static bool
matches_all (const struct bpf_dev_rule *x)
{
  return x->type == 'a' && x->major < 0 && x->minor < 0;
}

/* r9 = the rule's mask over the bits it still decides (BITS). */
static void
emit_match (struct prog *p, const struct bpf_dev_rule *x, unsigned bits)
{
  const struct
  {
    bool on;
    uint8_t reg;
    int32_t want;
  } f[3] = {
    { x->type != 'a', BPF_REG_2, x->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK },
    { x->major >= 0, BPF_REG_4, (int32_t) x->major },
    { x->minor >= 0, BPF_REG_5, (int32_t) x->minor },
  };
  bool any = false;

  for (int i = 0; i < 3; i++)
    {
      uint8_t d = any ? BPF_REG_0 : BPF_REG_9;
      if (!f[i].on)
        continue;
      /* registers hold u32s, and want is a non-negative s32 */
      emit (p, BPF_ALU64 | BPF_MOV | BPF_X, d, f[i].reg, 0);
      emit (p, BPF_ALU64 | BPF_XOR | BPF_K, d, 0, f[i].want);
      if (any)
        emit (p, BPF_ALU64 | BPF_OR | BPF_X, BPF_REG_9, BPF_REG_0, 0);
      any = true;
    }
  if (!any)
    {
      emit (p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_9, 0, (int32_t) bits);
      return;
    }
  emit (p, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_9, 0, -1);
  emit (p, BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_9, 0, 63);
  emit (p, BPF_ALU64 | BPF_MUL | BPF_K, BPF_REG_9, 0, (int32_t) bits);
}

int
bpf_devices_program (const struct bpf_dev_rule *r, size_t n,
                     struct bpf_insn **insns, size_t *n_insns,
                     sbx_error_t *err)
{
  static const unsigned bits[] = { BPF_DEV_MKNOD, BPF_DEV_READ, BPF_DEV_WRITE };
  size_t first[3] = { 0, 0, 0 }; /* per bit, the rule from which on it is open */
  struct prog p = { 0 };

  for (size_t i = 0; i < n; i++)
    if (rule_check (&r[i], i, err) < 0)
      return -1;
  /* Per rule at most 11 for the match and 2 for the verdict; 13 around. */
  if (n > (MAX_INSNS - 16) / 13)
    return sbx_error_set (err, E2BIG, "too many device rules (%zu)", n);
  p.v = calloc (16 + 13 * n, sizeof *p.v);
  if (p.v == NULL)
    return sbx_error_sys (err, ENOMEM, "device program");
  for (size_t i = 0; i < n; i++)
    for (size_t b = 0; b < 3; b++)
      if (matches_all (&r[i]) && (r[i].access & bits[b]) != 0)
        first[b] = i;

  /* access_type is (access << 16) | type. */
  emit_load (&p, BPF_REG_2, CTX_ACCESS_TYPE);
  emit (&p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0);
  emit (&p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0xffff);
  emit (&p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 16);
  emit_load (&p, BPF_REG_4, CTX_MAJOR);
  emit_load (&p, BPF_REG_5, CTX_MINOR);
  emit (&p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_6, 0, 0);
  for (size_t i = 0; i < n; i++)
    {
      unsigned live = 0;

      for (size_t b = 0; b < 3; b++)
        if ((r[i].access & bits[b]) != 0 && i >= first[b])
          live |= bits[b];
      if (live == 0)
        continue;
      emit_match (&p, &r[i], live);
      if (r[i].allow)
        emit (&p, BPF_ALU64 | BPF_OR | BPF_X, BPF_REG_6, BPF_REG_9, 0);
      else
        {
          emit (&p, BPF_ALU64 | BPF_XOR | BPF_K, BPF_REG_9, 0, -1);
          emit (&p, BPF_ALU64 | BPF_AND | BPF_X, BPF_REG_6, BPF_REG_9, 0);
        }
    }
  /* allowed when no asked bit is missing from r6 */
  emit (&p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_6, 0);
  emit (&p, BPF_ALU64 | BPF_XOR | BPF_K, BPF_REG_0, 0, -1);
  emit (&p, BPF_ALU64 | BPF_AND | BPF_X, BPF_REG_0, BPF_REG_3, 0);
  emit (&p, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_0, 0, -1);
  emit (&p, BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_0, 0, 63);
  emit (&p, BPF_JMP | BPF_EXIT, 0, 0, 0);

  *insns = p.v;
  *n_insns = p.n;
  return 0;
}

/* ---- Loading and attaching ---- */

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (__NR_bpf, cmd, attr, sizeof *attr);
}

static int
prog_load (const struct bpf_insn *insns, size_t n, sbx_error_t *err)
{
  union bpf_attr attr;
  _cleanup_free_ char *log = NULL;
  const size_t log_size = 256 * 1024;
  int fd, saved;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = (uint32_t) n;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  strncpy (attr.prog_name, "sbx_devices", sizeof attr.prog_name - 1);
  fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  saved = errno;
  /* One straight line: the verifier walks each instruction once. */
  if (saved == E2BIG)
    return sbx_error_sys (err, saved, "load device program (%zu insns): too "
                          "many device rules for the verifier", n);
  if (saved != EACCES && saved != EINVAL)
    return sbx_error_sys (err, saved, "load device program (%zu insns)", n);

  /* Load again with the verifier log so the error says why. */
  log = calloc (1, log_size);
  if (log != NULL)
    {
      attr.log_buf = (uint64_t) (uintptr_t) log;
      attr.log_size = (uint32_t) log_size;
      attr.log_level = 1;
      fd = sys_bpf (BPF_PROG_LOAD, &attr);
      if (fd >= 0)
        return fd;
      saved = errno;
    }
  if (log != NULL && log[0] != '\0')
    {
      /* The reason ends the log, before a "processed N insns" line. */
      size_t len = strlen (log);
      char *last;
      while (len > 0 && log[len - 1] == '\n')
        log[--len] = '\0';
      last = strrchr (log, '\n');
      if (last != NULL && strncmp (last + 1, "processed ", 10) == 0)
        {
          *last = '\0';
          len = (size_t) (last - log);
        }
      for (char *c = log; *c != '\0'; c++)
        if (*c == '\n')
          *c = ';';
      return sbx_error_sys (err, saved, "load device program (%zu insns): "
                            "verifier: %s%s", n, len > 300 ? "..." : "",
                            len > 300 ? log + len - 300 : log);
    }
  return sbx_error_sys (err, saved, "load device program (%zu insns)", n);
}

int
bpf_devices_query (int cgroup_fd, uint32_t **ids, size_t *n,
                   uint32_t *attach_flags, sbx_error_t *err)
{
  _cleanup_free_ uint32_t *v = NULL;
  uint32_t cap = 16;

  for (;;)
    {
      union bpf_attr attr;
      uint32_t *nv = realloc (v, cap * sizeof *v);

      if (nv == NULL)
        return sbx_error_sys (err, ENOMEM, "query device programs");
      v = nv;
      memset (v, 0, cap * sizeof *v);
      memset (&attr, 0, sizeof attr);
      attr.query.target_fd = (uint32_t) cgroup_fd;
      attr.query.attach_type = BPF_CGROUP_DEVICE;
      attr.query.prog_ids = (uint64_t) (uintptr_t) v;
      attr.query.prog_cnt = cap;
      if (sys_bpf (BPF_PROG_QUERY, &attr) == 0)
        {
          *n = attr.query.prog_cnt;
          if (attach_flags != NULL)
            *attach_flags = attr.query.attach_flags;
          *ids = take_ptr (&v);
          return 0;
        }
      /* ENOSPC: prog_cnt now holds how many there are. */
      if (errno != ENOSPC || attr.query.prog_cnt <= cap || cap >= 65536)
        return sbx_error_errno (err, "query device programs");
      cap = attr.query.prog_cnt;
    }
}

static int
prog_attach (int cgroup_fd, int prog_fd, uint32_t flags)
{
  union bpf_attr attr;

  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgroup_fd;
  attr.attach_bpf_fd = (uint32_t) prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = flags;
  return sys_bpf (BPF_PROG_ATTACH, &attr);
}

static int
prog_id (int prog_fd, uint32_t *id, sbx_error_t *err)
{
  union bpf_attr attr;
  struct bpf_prog_info info;

  memset (&attr, 0, sizeof attr);
  memset (&info, 0, sizeof info);
  attr.info.bpf_fd = (uint32_t) prog_fd;
  attr.info.info_len = sizeof info;
  attr.info.info = (uint64_t) (uintptr_t) &info;
  if (sys_bpf (BPF_OBJ_GET_INFO_BY_FD, &attr) < 0)
    return sbx_error_errno (err, "get device program id");
  *id = info.id;
  return 0;
}

/* Detach one program by id. One that is already gone is no error. */
static int
detach_id (int cgroup_fd, uint32_t id, sbx_error_t *err)
{
  union bpf_attr attr;
  _cleanup_fd_ int fd = -1;

  memset (&attr, 0, sizeof attr);
  attr.prog_id = id;
  fd = sys_bpf (BPF_PROG_GET_FD_BY_ID, &attr);
  if (fd < 0)
    return errno == ENOENT ? 0 : sbx_error_errno (err, "get device program %u", id);
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgroup_fd;
  attr.attach_bpf_fd = (uint32_t) fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (sys_bpf (BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
    return sbx_error_errno (err, "detach device program %u", id);
  return 0;
}

/* An old program attached without BPF_F_ALLOW_MULTI refuses a multi
 * attach (EPERM). A single one with the same flags is replaced in place by
 * the kernel, which keeps the "never without a program" promise too. */
static int
attach_replacing_single (int cgroup_fd, int prog_fd, sbx_error_t *err)
{
  _cleanup_free_ uint32_t *ids = NULL;
  size_t n = 0;
  uint32_t flags = 0;

  if (bpf_devices_query (cgroup_fd, &ids, &n, &flags, err) < 0)
    return sbx_error_wrap (err, "attach device program");
  if (n > 1 || (flags & BPF_F_ALLOW_MULTI) != 0)
    return sbx_error_sys (err, EPERM, "attach device program");
  if (prog_attach (cgroup_fd, prog_fd, flags) < 0)
    return sbx_error_errno (err, "attach device program (replacing one "
                            "attached with flags %#x)", flags);
  return 0;
}

int
bpf_devices_apply (int cgroup_fd, const struct bpf_dev_rule *r, size_t n,
                   sbx_error_t *err)
{
  _cleanup_free_ struct bpf_insn *insns = NULL;
  _cleanup_free_ uint32_t *ids = NULL;
  _cleanup_fd_ int prog_fd = -1;
  size_t n_insns = 0, n_ids = 0;
  uint32_t own = 0;

  if (bpf_devices_program (r, n, &insns, &n_insns, err) < 0)
    return -1;
  prog_fd = prog_load (insns, n_insns, err);
  if (prog_fd < 0)
    return -1;
  if (prog_attach (cgroup_fd, prog_fd, BPF_F_ALLOW_MULTI) < 0)
    {
      if (errno != EPERM)
        return sbx_error_errno (err, "attach device program");
      return attach_replacing_single (cgroup_fd, prog_fd, err);
    }
  log_debug ("device program attached (%zu rules, %zu insns)", n, n_insns);

  /* Now detach everything else: devices only open when every attached
   * program allows them, so leftovers would keep old denials alive. */
  if (prog_id (prog_fd, &own, err) < 0
      || bpf_devices_query (cgroup_fd, &ids, &n_ids, NULL, err) < 0)
    return sbx_error_wrap (err, "replace device program");
  for (size_t i = 0; i < n_ids; i++)
    if (ids[i] != own && detach_id (cgroup_fd, ids[i], err) < 0)
      return sbx_error_wrap (err, "replace device program");
  return 0;
}
