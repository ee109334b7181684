/* test_bpf_devices.c: device rule folding and validation, and the
 * generated program run through a small interpreter (semantics,
 * reachability, size). Against the kernel: test_bpf_devices_kernel.c. */
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

/* ---- An interpreter for the instructions the generator emits ---- */

/* Returns the program's verdict (0/1), or -1 on a malformed program. */
static int
run_prog (const struct bpf_insn *p, size_t n, char type, uint32_t access,
          uint32_t major, uint32_t minor)
{
  uint32_t ctx[3] = { (access << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK
                                                    : BPF_DEVCG_DEV_CHAR),
                      major, minor };
  uint64_t r[11] = { 0 };
  size_t pc = 0, steps = 0;

  while (pc < n && steps++ < 100000)
    {
      const struct bpf_insn *i = &p[pc++];
      uint64_t *d = &r[i->dst_reg];
      switch (i->code)
        {
        case BPF_LDX | BPF_W | BPF_MEM:
          if (i->src_reg != BPF_REG_1 || i->off % 4 != 0 || i->off < 0
              || i->off > 8)
            return -1;
          *d = ctx[i->off / 4];
          break;
        case BPF_ALU64 | BPF_MOV | BPF_X: *d = r[i->src_reg]; break;
        case BPF_ALU64 | BPF_MOV | BPF_K: *d = (uint64_t) (int64_t) i->imm; break;
        case BPF_ALU64 | BPF_XOR | BPF_K: *d ^= (uint64_t) (int64_t) i->imm; break;
        case BPF_ALU64 | BPF_ADD | BPF_K: *d += (uint64_t) (int64_t) i->imm; break;
        case BPF_ALU64 | BPF_AND | BPF_K: *d &= (uint64_t) (int64_t) i->imm; break;
        case BPF_ALU64 | BPF_RSH | BPF_K: *d >>= i->imm; break;
        case BPF_ALU64 | BPF_AND | BPF_X: *d &= r[i->src_reg]; break;
        case BPF_ALU64 | BPF_OR | BPF_X: *d |= r[i->src_reg]; break;
        case BPF_ALU64 | BPF_NEG: *d = -*d; break;
        case BPF_ALU64 | BPF_MUL | BPF_K: *d *= (uint64_t) (int64_t) i->imm; break;
        case BPF_ALU | BPF_AND | BPF_K: *d = (uint32_t) (*d & (uint32_t) i->imm); break;
        case BPF_ALU | BPF_RSH | BPF_K: *d = (uint32_t) *d >> i->imm; break;
        case BPF_JMP | BPF_JA: pc += i->off; break;
        case BPF_JMP | BPF_JNE | BPF_K:
          if (*d != (uint64_t) (int64_t) i->imm)
            pc += i->off;
          break;
        case BPF_JMP | BPF_JSET | BPF_K:
          if (*d & (uint64_t) (int64_t) i->imm)
            pc += i->off;
          break;
        case BPF_JMP | BPF_EXIT: return (int) r[0];
        default: return -1;
        }
    }
  return -1;
}

/* The verifier refuses unreachable instructions and jumps out of range. */
static bool
all_reachable (const struct bpf_insn *p, size_t n)
{
  bool *seen = calloc (n, 1), ok = true;
  size_t *stack = calloc (n + 1, sizeof *stack), sp = 0;

  if (seen == NULL || stack == NULL)
    abort ();
  stack[sp++] = 0;
  seen[0] = true;
  while (sp > 0)
    {
      size_t pc = stack[--sp], succ[2];
      int ns = 0;
      uint8_t cls = p[pc].code & 0x07;
      if (p[pc].code == (BPF_JMP | BPF_EXIT))
        continue;
      if (p[pc].code == (BPF_JMP | BPF_JA))
        succ[ns++] = pc + 1 + (size_t) (ptrdiff_t) p[pc].off;
      else
        {
          succ[ns++] = pc + 1;
          if (cls == BPF_JMP)
            succ[ns++] = pc + 1 + (size_t) (ptrdiff_t) p[pc].off;
        }
      for (int k = 0; k < ns; k++)
        {
          if (succ[k] >= n)
            {
              ok = false;
              continue;
            }
          if (!seen[succ[k]])
            {
              seen[succ[k]] = true;
              stack[sp++] = succ[k];
            }
        }
    }
  for (size_t i = 0; i < n; i++)
    ok = ok && seen[i];
  free (seen);
  free (stack);
  return ok;
}

/* ---- Helpers ---- */

#define R BPF_DEV_READ
#define W BPF_DEV_WRITE
#define M BPF_DEV_MKNOD


struct built
{
  struct bpf_dev_rule *rules;
  size_t n;
  struct bpf_insn *insns;
  size_t n_insns;
};

static bool
build (const struct spec_device_cgroup *d, size_t n, struct built *b)
{
  sbx_error_t err = { 0 };
  bool ok = bpf_devices_rules (d, n, NULL, 0, NULL, 0, &b->rules, &b->n, &err) == 0
            && bpf_devices_program (b->rules, b->n, &b->insns, &b->n_insns,
                                    &err) == 0;
  if (!ok)
    printf ("# %s\n", err.msg);
  sbx_error_free (&err);
  return ok;
}

static void
built_free (struct built *b)
{
  free (b->rules);
  free (b->insns);
}

#define VERDICT(b, t, acc, maj, min)                                          \
  run_prog ((b).insns, (b).n_insns, t, acc, maj, min)

/* ---- Pure tests ---- */

UNIT_TEST (rules_fold_in_order_with_defaults)
{
  sbx_error_t err = { 0 };
  struct bpf_dev_rule extra = { 'c', 10, 200, BPF_DEV_RWM, true };
  struct bpf_dev_rule *r = NULL;
  size_t n = 0;

  REQUIRE (bpf_devices_rules (docker_rules, N_DOCKER, NULL, 0, &extra, 1, &r, &n, &err) == 0);
  CHECK_INTEQ (n, N_DOCKER + 11 + 1);
  CHECK (r[0].type == 'a' && r[0].major == -1 && r[0].minor == -1);
  CHECK (!r[0].allow && r[0].access == BPF_DEV_RWM);
  CHECK (r[1].type == 'c' && r[1].major == 1 && r[1].minor == 5 && r[1].allow);
  CHECK (!r[N_DOCKER - 1].allow && r[N_DOCKER - 1].minor == 229);
  /* Defaults after the config, extra last: they always win. */
  CHECK (r[N_DOCKER].type == 'c' && r[N_DOCKER].major == -1 && r[N_DOCKER].minor == -1);
  CHECK (r[N_DOCKER].access == BPF_DEV_MKNOD && r[N_DOCKER].allow);
  CHECK (r[N_DOCKER + 1].type == 'b' && r[N_DOCKER + 1].access == BPF_DEV_MKNOD);
  CHECK (r[N_DOCKER + 2].major == 1 && r[N_DOCKER + 2].minor == 3 && r[N_DOCKER + 2].allow);
  CHECK (r[N_DOCKER + 8].major == 5 && r[N_DOCKER + 8].minor == 2);
  CHECK (r[N_DOCKER + 9].major == 136 && r[N_DOCKER + 9].minor == -1);
  CHECK (r[N_DOCKER + 10].major == 10 && r[N_DOCKER + 10].minor == 200);
  CHECK (r[n - 1].major == 10 && r[n - 1].minor == 200 && r[n - 1].allow);
  /* runc's defaults: no /dev/console (c 5:1) */
  for (size_t i = N_DOCKER; i < n; i++)
    CHECK (!(r[i].major == 5 && r[i].minor == 1));
  free (r);
  sbx_error_free (&err);
}

/* linux.devices gets no allow rule (it used to get rwm whatever the config
   denied); a default whose path it lists is dropped, as in runc, so that
   node gets what linux.resources.devices says. */
UNIT_TEST (linux_devices_get_no_rule_and_replace_a_default)
{
  struct spec_device_cgroup deny_all[] = { DEV (false, "a", -1, -1, "rwm") };
  struct spec_device nodes[] = { { .type = (char *) "c", .path = (char *) "/dev/fuse", .major = 10, .minor = 229 },
                                 { .type = (char *) "c", .path = (char *) "/dev/null", .major = 1, .minor = 3 } };
  sbx_error_t err = { 0 };
  struct built b = { 0 };
  struct bpf_dev_rule *r = NULL;
  size_t n = 0;

  REQUIRE (bpf_devices_rules (deny_all, 1, nodes, 2, NULL, 0, &r, &n, &err) == 0);
  CHECK_INTEQ (n, 1 + 11 - 1);
  for (size_t i = 0; i < n; i++)
    {
      CHECK (!(r[i].major == 10 && r[i].minor == 229 && r[i].allow));
      CHECK (!(r[i].major == 1 && r[i].minor == 3 && r[i].allow));
    }
  b.rules = r;
  b.n = n;
  REQUIRE (bpf_devices_program (b.rules, b.n, &b.insns, &b.n_insns, &err) == 0);
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 10, 229), 0);
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 1, 3), 0);
  CHECK_INTEQ (VERDICT (b, 'c', M, 10, 229), 1);  /* mknod stays a default */
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 1, 5), 1); /* /dev/zero: not listed */
  built_free (&b);
  sbx_error_free (&err);
}

UNIT_TEST (rules_access_parsing)
{
  struct spec_device_cgroup d[] = { DEV (true, "b", 8, -1, "r"),
                                    DEV (true, "c", -1, 4, "mw"),
                                    DEV (true, NULL, -1, -1, NULL),
                                    DEV (true, "a", 3, -1, "") };
  sbx_error_t err = { 0 };
  struct bpf_dev_rule *r = NULL;
  size_t n = 0;

  REQUIRE (bpf_devices_rules (d, 4, NULL, 0, NULL, 0, &r, &n, &err) == 0);
  CHECK_INTEQ (r[0].access, R);
  CHECK (r[0].type == 'b' && r[0].major == 8 && r[0].minor == -1);
  CHECK_INTEQ (r[1].access, M | W);
  CHECK (r[1].major == -1 && r[1].minor == 4);
  CHECK_INTEQ (r[2].access, R | W | M);
  CHECK (r[2].type == 'a');
  CHECK_INTEQ (r[3].access, 0);
  free (r);
}

UNIT_TEST (rules_validation_names_the_entry)
{
  struct spec_device_cgroup bad_type[] = { DEV (true, "c", 1, 3, "r"),
                                           DEV (true, "x", 1, 3, "r") };
  struct spec_device_cgroup bad_acc[] = { DEV (true, "c", 1, 3, "r"),
                                          DEV (true, "c", 1, 3, "rwz") };
  struct spec_device_cgroup bad_major[] = { DEV (true, "c", 1, 3, "r"),
                                            DEV (true, "c", -5, 3, "r") };
  struct spec_device_cgroup bad_minor[] = { DEV (true, "c", 1, 3, "r"),
                                            DEV (true, "c", 1, 1LL << 40, "r") };
  sbx_error_t err = { 0 };
  struct bpf_dev_rule *r = NULL;
  size_t n = 0;

  CHECK (bpf_devices_rules (bad_type, 2, NULL, 0, NULL, 0, &r, &n, &err) == -1);
  CHECK_CONTAINS (err.msg, "linux.resources.devices[1].type");
  CHECK_CONTAINS (err.msg, "`x`");
  CHECK (bpf_devices_rules (bad_acc, 2, NULL, 0, NULL, 0, &r, &n, &err) == -1);
  CHECK_CONTAINS (err.msg, "linux.resources.devices[1].access");
  CHECK_CONTAINS (err.msg, "`rwz`");
  CHECK (bpf_devices_rules (bad_major, 2, NULL, 0, NULL, 0, &r, &n, &err) == -1);
  CHECK_CONTAINS (err.msg, "linux.resources.devices[1].major");
  CHECK (bpf_devices_rules (bad_minor, 2, NULL, 0, NULL, 0, &r, &n, &err) == -1);
  CHECK_CONTAINS (err.msg, "linux.resources.devices[1].minor");
  CHECK (r == NULL);
  sbx_error_free (&err);

  struct bpf_dev_rule bad = { 'u', 1, 3, R, true };
  struct bpf_insn *insns = NULL;
  CHECK (bpf_devices_program (&bad, 1, &insns, &n, &err) == -1);
  CHECK_CONTAINS (err.msg, "device rule 0: invalid type");
  sbx_error_free (&err);
}

UNIT_TEST (program_defaults_only)
{
  struct built b = { 0 };

  REQUIRE (build (NULL, 0, &b));
  CHECK (b.n_insns > 10 && b.n_insns < 200);
  CHECK (b.insns[b.n_insns - 1].code == (BPF_JMP | BPF_EXIT));
  CHECK (all_reachable (b.insns, b.n_insns));
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 1, 3), 1);
  CHECK_INTEQ (VERDICT (b, 'c', M, 1, 7), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 136, 42), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 5, 2), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R, 1, 1), 0);
  CHECK_INTEQ (VERDICT (b, 'b', R, 1, 3), 0);
  /* runc's defaults: mknod of anything, /dev/net/tun */
  CHECK_INTEQ (VERDICT (b, 'c', M, 1, 1), 1);
  CHECK_INTEQ (VERDICT (b, 'b', M, 8, 0), 1);
  CHECK_INTEQ (VERDICT (b, 'c', M | R, 1, 1), 0);
  CHECK_INTEQ (VERDICT (b, 'b', R, 8, 0), 0);
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 10, 200), 1);
  built_free (&b);
}

UNIT_TEST (program_docker_list)
{
  struct built b = { 0 };

  REQUIRE (build (docker_rules, N_DOCKER, &b));
  CHECK (b.n_insns < 300);
  CHECK (all_reachable (b.insns, b.n_insns));
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 1, 3), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R, 1, 5), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R, 1, 11), 0);
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 10, 229), 0);
  CHECK_INTEQ (VERDICT (b, 'b', R, 8, 0), 0);
  /* The defaults come last and win, as in runc: mknod of anything, even of
     the fuse node docker denies, and /dev/net/tun. */
  CHECK_INTEQ (VERDICT (b, 'c', M, 1, 1), 1);
  CHECK_INTEQ (VERDICT (b, 'c', M, 10, 229), 1);
  CHECK_INTEQ (VERDICT (b, 'b', M, 8, 0), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 10, 200), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 136, 0), 1);
  built_free (&b);
}

UNIT_TEST (program_last_match_wins_per_access_bit)
{
  struct spec_device_cgroup later_deny[] = { DEV (true, "c", 4, 1, "rwm"),
                                             DEV (false, "c", 4, -1, "rwm") };
  struct spec_device_cgroup later_allow[] = { DEV (false, "c", 4, -1, "rwm"),
                                              DEV (true, "c", 4, 1, "rwm") };
  struct spec_device_cgroup deny_w[] = { DEV (true, NULL, -1, -1, "rwm"),
                                         DEV (false, "c", 4, 1, "w") };
  struct spec_device_cgroup split[] = { DEV (true, "c", 4, 1, "r"),
                                        DEV (true, "c", 4, 1, "w"),
                                        DEV (true, "a", 7, -1, "m") };
  struct built b = { 0 };

  REQUIRE (build (later_deny, 2, &b));
  CHECK_INTEQ (VERDICT (b, 'c', R, 4, 1), 0);
  CHECK_INTEQ (VERDICT (b, 'c', R, 1, 3), 1);
  built_free (&b);

  REQUIRE (build (later_allow, 2, &b));
  CHECK_INTEQ (VERDICT (b, 'c', R, 4, 1), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R, 4, 2), 0);
  built_free (&b);

  /* Allow-all then deny write: reads pass, anything writing does not. */
  REQUIRE (build (deny_w, 2, &b));
  CHECK (all_reachable (b.insns, b.n_insns));
  CHECK_INTEQ (VERDICT (b, 'c', R, 4, 1), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 4, 1), 0);
  CHECK_INTEQ (VERDICT (b, 'c', W, 4, 1), 0);
  CHECK_INTEQ (VERDICT (b, 'b', R | W | M, 8, 0), 1);
  built_free (&b);

  /* r and w from two rules make rw; type a covers char and block. */
  REQUIRE (build (split, 3, &b));
  CHECK_INTEQ (VERDICT (b, 'c', R | W, 4, 1), 1);
  /* m comes from the default mknod rule; r and w are still needed */
  CHECK_INTEQ (VERDICT (b, 'c', R | W | M, 4, 1), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R | M, 4, 2), 0);
  CHECK_INTEQ (VERDICT (b, 'b', M, 7, 3), 1);
  CHECK_INTEQ (VERDICT (b, 'c', M, 7, 0), 1);
  CHECK_INTEQ (VERDICT (b, 'c', R, 7, 0), 0);
  built_free (&b);
}

UNIT_TEST (program_size_limits)
{
  size_t n = 2000;
  struct bpf_dev_rule *r = calloc (n, sizeof *r);
  struct bpf_insn *insns = NULL;
  size_t n_insns = 0;
  sbx_error_t err = { 0 };

  REQUIRE (r != NULL);
  for (size_t i = 0; i < n; i++)
    r[i] = (struct bpf_dev_rule){ i % 2 ? 'c' : 'b', (int64_t) (i % 300),
                                  (int64_t) i, BPF_DEV_RWM, i % 3 != 0 };
  REQUIRE (bpf_devices_program (r, n, &insns, &n_insns, &err) == 0);
  CHECK (n_insns <= 13 * n + 16);
  CHECK (all_reachable (insns, n_insns));
  CHECK_INTEQ (run_prog (insns, n_insns, 'c', R, 199, 1999), 1);
  CHECK_INTEQ (run_prog (insns, n_insns, 'b', R, 196, 1996), 1);
  CHECK_INTEQ (run_prog (insns, n_insns, 'b', R, 198, 1998), 0);
  CHECK_INTEQ (run_prog (insns, n_insns, 'c', R, 3, 3), 0);
  free (insns);
  free (r);

  r = calloc (10000, sizeof *r);
  REQUIRE (r != NULL);
  for (size_t i = 0; i < 10000; i++)
    r[i] = (struct bpf_dev_rule){ 'a', -1, -1, BPF_DEV_RWM, true };
  CHECK (bpf_devices_program (r, 10000, &insns, &n_insns, &err) == -1);
  CHECK_CONTAINS (err.msg, "too many device rules");
  free (r);
  sbx_error_free (&err);
}

int
main (void)
{
  return unit_main ();
}
