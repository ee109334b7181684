/* seccomp-compose.c: two seccomp programs as one, returning for every
 * syscall what the kernel returns with both attached (the policy's filter
 * and the config's). One attach instead of two: the kernel's cost of a
 * filter (the classic-to-eBPF conversion, the JIT, its per-syscall allow
 * cache) is paid once, and every syscall the container makes runs one
 * program.
 *
 * The kernel runs the filters newest first and keeps a result only if its
 * action is strictly more restrictive than the one it has, starting from
 * SECCOMP_RET_ALLOW (kernel/seccomp.c, seccomp_run_filters). So the
 * result is stacked(newer's, older's) below, ties going to the newer.
 *
 * The composite is the first program with each of its returns replaced by
 * a jump to a copy of the second in which every return is the stacked
 * value of the two. A copy whose returns all come out the same is a
 * single return; paths of a copy that can give one value only are cut
 * short; equal copies are shared. Then what the first program decided
 * and the copies test again goes (seccomp-prune.c): behind the policy's
 * filter, which lets only native calls on, an engine's tests for i386
 * and x32 calls. Only the instructions libseccomp emits
 * are taken (loads of the seccomp_data words, AND, the constant jumps,
 * constant returns): the kernel's allow cache understands exactly those,
 * so a syscall both programs allow outright stays a bitmap hit. Anything
 * else, or a program past BPF_MAXINSNS, is not composed: the caller
 * stacks the two filters as before. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"
#include "seccomp.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define ACT(v) ((int32_t) ((v) & SECCOMP_RET_ACTION_FULL))
#define MULTI UINT64_MAX /* a node that can return more than one value */
#define MAX_RETS 64

uint32_t
seccomp_stacked_result (uint32_t newer, uint32_t older)
{
  uint32_t r = SECCOMP_RET_ALLOW;

  if (ACT (newer) < ACT (r))
    r = newer;
  if (ACT (older) < ACT (r))
    r = older;
  return r;
}

static bool
is_jump (uint16_t code)
{
  return BPF_CLASS (code) == BPF_JMP;
}

/* The distinct return values of a program; false past MAX_RETS. */
static bool
returns (const struct sock_filter *p, size_t n, uint32_t *v, size_t *nv)
{
  *nv = 0;
  for (size_t i = 0; i < n; i++)
    if (p[i].code == (BPF_RET | BPF_K))
      {
        size_t j = 0;
        while (j < *nv && v[j] != p[i].k)
          j++;
        if (j == *nv)
          {
            if (*nv == MAX_RETS)
              return false;
            v[(*nv)++] = p[i].k;
          }
      }
  return true;
}

/* An output program under construction. */
struct out
{
  struct sock_filter *p;
  size_t n, cap;
  bool too_long;
};

static struct sock_filter *
grow (struct out *o, size_t more)
{
  if (o->n + more > BPF_MAXINSNS)
    {
      o->too_long = true;
      return NULL;
    }
  if (o->n + more > o->cap)
    {
      size_t cap = o->cap ? o->cap * 2 : 256;
      struct sock_filter *np;
      while (cap < o->n + more)
        cap *= 2;
      np = realloc (o->p, cap * sizeof *np);
      if (np == NULL)
        return NULL;
      o->p = np;
      o->cap = cap;
    }
  o->n += more;
  return o->p + o->n - more;
}

/* Append B with each return k turned into map(k): map[i] for vals[i] ==
   k. Nodes that can give one value only become that return; what they
   led to is left out when nothing else leads there. */
static int
append_copy (struct out *o, const struct sock_filter *b, size_t n, const uint32_t *vals, const uint32_t *map)
{
  _cleanup_free_ uint64_t *single = calloc (n, sizeof *single);
  _cleanup_free_ size_t *at = calloc (n, sizeof *at);
  _cleanup_free_ bool *reach = calloc (n, sizeof *reach);
  size_t base = o->n, k = 0;

  if (single == NULL || at == NULL || reach == NULL)
    return -1;
  for (size_t i = n; i-- > 0;)
    {
      const struct sock_filter *x = &b[i];
      if (x->code == (BPF_RET | BPF_K))
        {
          size_t j = 0;
          while (vals[j] != x->k)
            j++;
          single[i] = map[j];
        }
      else if (x->code == (BPF_JMP | BPF_JA))
        single[i] = single[i + 1 + x->k];
      else if (is_jump (x->code))
        single[i] = single[i + 1 + x->jt] == single[i + 1 + x->jf] ? single[i + 1 + x->jt] : MULTI;
      else
        single[i] = single[i + 1];
    }
  reach[0] = true;
  for (size_t i = 0; i < n; i++)
    {
      if (!reach[i])
        continue;
      at[i] = base + k++;
      if (single[i] != MULTI)
        continue; /* a return now */
      if (b[i].code == (BPF_JMP | BPF_JA))
        reach[i + 1 + b[i].k] = true;
      else if (is_jump (b[i].code))
        reach[i + 1 + b[i].jt] = reach[i + 1 + b[i].jf] = true;
      else
        reach[i + 1] = true;
    }
  if (grow (o, k) == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      struct sock_filter *y;
      if (!reach[i])
        continue;
      y = &o->p[at[i]];
      if (single[i] != MULTI)
        *y = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, (uint32_t) single[i]);
      else
        {
          *y = b[i];
          /* targets lie after i: the offsets only shrink */
          if (b[i].code == (BPF_JMP | BPF_JA))
            y->k = (uint32_t) (at[i + 1 + b[i].k] - at[i] - 1);
          else if (is_jump (b[i].code))
            {
              y->jt = (uint8_t) (at[i + 1 + b[i].jt] - at[i] - 1);
              y->jf = (uint8_t) (at[i + 1 + b[i].jf] - at[i] - 1);
            }
        }
    }
  return 0;
}

/* A first, each of its returns leading to a copy of B: FIRST_NEWER says
   which of the two the kernel would run first. */
static int
compose_in_order (const struct sock_filter *a, size_t na, const struct sock_filter *b, size_t nb, bool first_newer,
                  struct out *o)
{
  uint32_t av[MAX_RETS], bv[MAX_RETS], maps[MAX_RETS][MAX_RETS];
  size_t nav, nbv, start[MAX_RETS];
  bool constant[MAX_RETS];

  if (!returns (a, na, av, &nav) || !returns (b, nb, bv, &nbv))
    return -1;
  if (grow (o, na) == NULL)
    return -1;
  memcpy (o->p, a, na * sizeof *a);
  for (size_t i = 0; i < nav; i++)
    {
      constant[i] = true;
      for (size_t j = 0; j < nbv; j++)
        {
          maps[i][j] = first_newer ? seccomp_stacked_result (av[i], bv[j]) : seccomp_stacked_result (bv[j], av[i]);
          constant[i] = constant[i] && maps[i][j] == maps[i][0];
        }
      start[i] = SIZE_MAX;
      if (constant[i])
        continue;
      for (size_t e = 0; e < i && start[i] == SIZE_MAX; e++) /* an equal copy made already */
        if (!constant[e] && memcmp (maps[e], maps[i], nbv * sizeof maps[i][0]) == 0)
          start[i] = start[e];
      if (start[i] != SIZE_MAX)
        continue;
      start[i] = o->n;
      if (append_copy (o, b, nb, bv, maps[i]) < 0)
        return -1;
    }
  for (size_t i = 0; i < na; i++)
    if (o->p[i].code == (BPF_RET | BPF_K))
      {
        size_t j = 0;
        while (av[j] != o->p[i].k)
          j++;
        if (constant[j])
          o->p[i].k = maps[j][0];
        else
          o->p[i] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JA, (uint32_t) (start[j] - i - 1), 0, 0);
      }
  return 0;
}

bool
seccomp_always_allows (const struct seccomp_filter *f, uint32_t arch, uint32_t nr)
{
  const struct sock_filter *p;
  const void *v;
  size_t n, pc = 0;
  unsigned int kflags;
  uint32_t a = 0;

  if (f == NULL || seccomp_filter_bpf (f, &v, &n, &kflags) < 0 || !seccomp_bpf_plain (v, n))
    return false;
  p = v;
  /* supported() bounds every jump, and they all go forward */
  while (pc < n)
    {
      const struct sock_filter *x = &p[pc];
      bool t;

      switch (x->code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          if (x->k == offsetof (struct seccomp_data, nr))
            a = nr;
          else if (x->k == offsetof (struct seccomp_data, arch))
            a = arch;
          else
            return false; /* an argument or the instruction pointer */
          pc++;
          continue;
        case BPF_ALU | BPF_AND | BPF_K:
          a &= x->k;
          pc++;
          continue;
        case BPF_RET | BPF_K:
          return (x->k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW;
        case BPF_JMP | BPF_JA:
          pc += 1 + x->k;
          continue;
        case BPF_JMP | BPF_JEQ | BPF_K:
          t = a == x->k;
          break;
        case BPF_JMP | BPF_JGT | BPF_K:
          t = a > x->k;
          break;
        case BPF_JMP | BPF_JGE | BPF_K:
          t = a >= x->k;
          break;
        case BPF_JMP | BPF_JSET | BPF_K:
          t = (a & x->k) != 0;
          break;
        default:
          return false;
        }
      pc += 1 + (t ? x->jt : x->jf);
    }
  return false;
}

int
seccomp_compose (const struct seccomp_filter *older, const struct seccomp_filter *newer, struct seccomp_filter **out,
                 sbx_error_t *err)
{
  const unsigned int benign = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  const struct sock_filter *po, *pn;
  const void *vo, *vn;
  size_t no, nn;
  unsigned int fo, fnew;
  struct out x = { 0 }, y = { 0 };
  int r = 0;

  *out = NULL;
  /* A listener belongs to one filter; SECCOMP_FILTER_FLAG_LOG and
     SPEC_ALLOW act per filter: those stay two filters. */
  if (older == NULL || newer == NULL || seccomp_filter_bpf (older, &vo, &no, &fo) < 0
      || seccomp_filter_bpf (newer, &vn, &nn, &fnew) < 0 || ((fo | fnew) & ~benign) != 0)
    return 0;
  po = vo;
  pn = vn;
  if (!seccomp_bpf_plain (po, no) || !seccomp_bpf_plain (pn, nn))
    return 0;
  /* both orders; the shorter program wins */
  if (compose_in_order (pn, nn, po, no, true, &x) < 0 && !x.too_long)
    r = -1;
  if (r == 0 && compose_in_order (po, no, pn, nn, false, &y) < 0 && !y.too_long)
    r = -1;
  /* what neither can do any more goes (seccomp-prune.c) */
  if (r == 0 && !x.too_long && seccomp_prune (x.p, &x.n) < 0)
    r = -1;
  if (r == 0 && !y.too_long && seccomp_prune (y.p, &y.n) < 0)
    r = -1;
  if (r < 0)
    sbx_error_set (err, ENOMEM, "linux.seccomp: compose with the policy's filter");
  else if (!x.too_long || !y.too_long)
    {
      struct out *best = x.too_long ? &y : y.too_long ? &x : x.n <= y.n ? &x : &y;
      r = seccomp_filter_from_bpf (best->p, best->n, (fo | fnew) & benign, out, err);
    }
  free (x.p);
  free (y.p);
  return r;
}

int
seccomp_join_policy (struct seccomp_filter **config, struct seccomp_filter **policy, bool nnp, sbx_error_t *err)
{
  struct seccomp_filter *one = NULL;

  if (*config == NULL || *policy == NULL)
    return 0;
  if (seccomp_compose (nnp ? *policy : *config, nnp ? *config : *policy, &one, err) < 0)
    return -1;
  if (one == NULL)
    return 0;
  seccomp_filter_free (*config);
  seccomp_filter_free (*policy);
  *config = one;
  *policy = NULL;
  return 0;
}
