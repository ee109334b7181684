/* seccomp-prune.c: the instructions of a seccomp program that can never
 * change its result, taken out. A composite (seccomp-compose.c) holds
 * such instructions: the policy's filter lets only native x86_64 calls
 * on, and the copy of an engine's profile behind it still tests for
 * i386 and x32 calls, half of its length. The kernel's cost to attach a
 * filter (the classic-to-eBPF conversion and the JIT) grows with the
 * length, and `run` waits for it.
 *
 * What each instruction may see is worked out forwards: for the two
 * words a jump can be decided on, the syscall number and the
 * architecture, the set of values they may hold there (a few ranges),
 * joined where paths meet. A jump one way only under that set becomes
 * the way it goes; a jump whose two ways end the same (the same
 * instruction, or returns of the same value) goes; a load nothing reads
 * goes. Nothing else changes: the program gives every input the result
 * it gave before, in the instructions it had (so the kernel's allow
 * cache reads it as before). Jumps stay forward; a conditional one that
 * would land past 255 goes through an added `ja`. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "seccomp.h"

#define MAX_SPANS 8

struct span
{
  uint32_t lo, hi;
};

/* Values a word may hold: disjoint ranges, ascending; none when n == 0. */
struct vset
{
  unsigned n;
  struct span s[MAX_SPANS];
};

enum
{
  W_NR,
  W_ARCH,
  W_COUNT,
  W_OTHER = -1 /* the accumulator holds an argument, or a computed value */
};

struct facts
{
  struct vset w[W_COUNT];
  int acc; /* the word the accumulator holds as loaded */
};

/* Only what libseccomp emits and the kernel's allow cache follows; every
   jump lands inside; the program starts with a load and ends with a
   return. */
bool
seccomp_bpf_plain (const struct sock_filter *p, size_t n)
{
  if (n == 0 || p[0].code != (BPF_LD | BPF_W | BPF_ABS) || p[n - 1].code != (BPF_RET | BPF_K))
    return false;
  for (size_t i = 0; i < n; i++)
    {
      switch (p[i].code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          if (p[i].k >= sizeof (struct seccomp_data) || p[i].k % 4 != 0)
            return false;
          break;
        case BPF_ALU | BPF_AND | BPF_K:
        case BPF_RET | BPF_K:
          break;
        case BPF_JMP | BPF_JA:
          if (p[i].k >= n - i - 1)
            return false;
          break;
        case BPF_JMP | BPF_JEQ | BPF_K:
        case BPF_JMP | BPF_JGT | BPF_K:
        case BPF_JMP | BPF_JGE | BPF_K:
        case BPF_JMP | BPF_JSET | BPF_K:
          if (p[i].jt >= n - i - 1 || p[i].jf >= n - i - 1)
            return false;
          break;
        default:
          return false;
        }
    }
  return true;
}

/* Add a range after those already in (ascending input), merged with the
   last when they touch. */
static void
vset_push (struct span *out, unsigned *n, uint32_t lo, uint32_t hi)
{
  if (*n > 0 && (out[*n - 1].hi == UINT32_MAX || lo <= out[*n - 1].hi + 1))
    {
      if (hi > out[*n - 1].hi)
        out[*n - 1].hi = hi;
      return;
    }
  out[*n] = (struct span) { lo, hi };
  (*n)++;
}

/* Past MAX_SPANS, the closest two ranges become one: more values, never
   fewer, so what is decided under the set holds. */
static void
vset_fit (struct vset *v, const struct span *s, unsigned n)
{
  struct span t[2 * MAX_SPANS + 2];

  memcpy (t, s, n * sizeof *s);
  while (n > MAX_SPANS)
    {
      unsigned best = 0;
      for (unsigned i = 1; i + 1 < n; i++)
        if (t[i + 1].lo - t[i].hi < t[best + 1].lo - t[best].hi)
          best = i;
      t[best].hi = t[best + 1].hi;
      memmove (&t[best + 1], &t[best + 2], (n - best - 2) * sizeof *t);
      n--;
    }
  memcpy (v->s, t, n * sizeof *t);
  v->n = n;
}

static void
vset_union (struct vset *v, const struct vset *o)
{
  struct span t[2 * MAX_SPANS + 2];
  unsigned n = 0, i = 0, j = 0;

  while (i < v->n || j < o->n)
    {
      const struct span *x = j >= o->n || (i < v->n && v->s[i].lo <= o->s[j].lo) ? &v->s[i++] : &o->s[j++];
      vset_push (t, &n, x->lo, x->hi);
    }
  vset_fit (v, t, n);
}

/* The part of V within [lo, hi] (lo <= hi), or outside it. */
static void
vset_clip (const struct vset *v, uint32_t lo, uint32_t hi, bool inside, struct vset *out)
{
  struct span t[2 * MAX_SPANS + 2];
  unsigned n = 0;

  for (unsigned i = 0; i < v->n; i++)
    {
      uint32_t a = v->s[i].lo, b = v->s[i].hi;
      if (inside && a <= hi && b >= lo)
        vset_push (t, &n, a > lo ? a : lo, b < hi ? b : hi);
      if (!inside && a < lo)
        vset_push (t, &n, a, b < lo - 1 ? b : lo - 1);
      if (!inside && b > hi)
        vset_push (t, &n, a > hi + 1 ? a : hi + 1, b);
    }
  vset_fit (out, t, n);
}

/* The values of V for which the jump X is taken, and not taken. */
static void
vset_split (const struct vset *v, const struct sock_filter *x, struct vset *yes, struct vset *no)
{
  uint32_t k = x->k;

  switch (BPF_OP (x->code))
    {
    case BPF_JEQ:
      vset_clip (v, k, k, true, yes);
      vset_clip (v, k, k, false, no);
      return;
    case BPF_JGT:
      if (k == UINT32_MAX)
        {
          yes->n = 0;
          *no = *v;
          return;
        }
      vset_clip (v, k + 1, UINT32_MAX, true, yes);
      vset_clip (v, k + 1, UINT32_MAX, false, no);
      return;
    case BPF_JGE:
      if (k == 0)
        {
          *yes = *v;
          no->n = 0;
          return;
        }
      vset_clip (v, k, UINT32_MAX, true, yes);
      vset_clip (v, k, UINT32_MAX, false, no);
      return;
    default: /* JSET: decided for a single value only */
      *yes = *no = *v;
      if (v->n == 1 && v->s[0].lo == v->s[0].hi)
        ((v->s[0].lo & k) != 0 ? no : yes)->n = 0;
      return;
    }
}

/* Facts F reach instruction TO. */
static void
flow (struct facts *in, bool *reach, size_t to, const struct facts *f)
{
  if (!reach[to])
    {
      in[to] = *f;
      reach[to] = true;
      return;
    }
  for (int w = 0; w < W_COUNT; w++)
    vset_union (&in[to].w[w], &f->w[w]);
  if (in[to].acc != f->acc)
    in[to].acc = W_OTHER;
}

/* Forwards: which instructions run, and which jumps go one way only
   (taken[i] 1 or 0; -1 both ways). */
static void
walk (const struct sock_filter *p, size_t n, struct facts *in, bool *reach, int8_t *taken)
{
  in[0].acc = W_OTHER;
  for (int w = 0; w < W_COUNT; w++)
    in[0].w[w] = (struct vset) { 1, { { 0, UINT32_MAX } } };
  reach[0] = true;
  for (size_t i = 0; i < n; i++)
    {
      const struct sock_filter *x = &p[i];
      struct facts f = in[i], t, e;

      taken[i] = -1;
      if (!reach[i] || x->code == (BPF_RET | BPF_K))
        continue;
      if (x->code == (BPF_LD | BPF_W | BPF_ABS) || x->code == (BPF_ALU | BPF_AND | BPF_K))
        {
          f.acc = x->code != (BPF_LD | BPF_W | BPF_ABS)         ? W_OTHER
                  : x->k == offsetof (struct seccomp_data, nr)   ? W_NR
                  : x->k == offsetof (struct seccomp_data, arch) ? W_ARCH
                                                                 : W_OTHER;
          flow (in, reach, i + 1, &f);
          continue;
        }
      if (x->code == (BPF_JMP | BPF_JA))
        {
          flow (in, reach, i + 1 + x->k, &f);
          continue;
        }
      t = e = f;
      if (f.acc != W_OTHER)
        vset_split (&f.w[f.acc], x, &t.w[f.acc], &e.w[f.acc]);
      if (f.acc != W_OTHER && t.w[f.acc].n == 0)
        taken[i] = 0;
      else if (f.acc != W_OTHER && e.w[f.acc].n == 0)
        taken[i] = 1;
      if (taken[i] != 0)
        flow (in, reach, i + 1 + x->jt, &t);
      if (taken[i] != 1)
        flow (in, reach, i + 1 + x->jf, &e);
    }
}

static bool
same_end (const struct sock_filter *p, size_t a, size_t b)
{
  return a == b || (p[a].code == (BPF_RET | BPF_K) && p[b].code == (BPF_RET | BPF_K) && p[a].k == p[b].k);
}

/* Backwards: res[i], the instruction that does what i does (i itself,
   or where i leads when it decides or computes nothing). */
static void
resolve (const struct sock_filter *p, size_t n, const int8_t *taken, size_t *res)
{
  for (size_t i = n; i-- > 0;)
    {
      const struct sock_filter *x = &p[i];
      size_t r;

      if (x->code == (BPF_RET | BPF_K))
        res[i] = i;
      else if (x->code == (BPF_JMP | BPF_JA))
        res[i] = res[i + 1 + x->k];
      else if (BPF_CLASS (x->code) == BPF_JMP)
        {
          size_t a = res[i + 1 + x->jt], b = res[i + 1 + x->jf];
          res[i] = taken[i] == 1 ? a : taken[i] == 0 ? b : same_end (p, a, b) ? a : i;
        }
      else /* a load or an AND: dead if the next that counts loads or returns */
        {
          r = res[i + 1];
          res[i] = p[r].code == (BPF_LD | BPF_W | BPF_ABS) || p[r].code == (BPF_RET | BPF_K) ? r : i;
        }
    }
}

/* Lay the kept instructions out in their order, a `ja` after a jump for
   each way that lands too far; again until none does. */
static size_t
layout (const struct sock_filter *p, size_t n, const bool *keep, const size_t *res, size_t *at, uint8_t *far)
{
  bool again = true;
  size_t len = 0;

  while (again)
    {
      again = false;
      len = 0;
      for (size_t i = 0; i < n; i++)
        if (keep[i])
          {
            at[i] = len++;
            len += (far[i] & 1) + ((far[i] >> 1) & 1);
          }
      for (size_t i = 0; i < n; i++)
        if (keep[i] && BPF_CLASS (p[i].code) == BPF_JMP)
          for (int w = 0; w < 2; w++)
            {
              size_t to = res[i + 1 + (w == 0 ? p[i].jt : p[i].jf)];
              if (!(far[i] & (1 << w)) && at[to] - at[i] - 1 > 255)
                {
                  far[i] |= (uint8_t) (1 << w);
                  again = true;
                }
            }
    }
  return len;
}

static void
emit (const struct sock_filter *p, size_t n, const bool *keep, const size_t *res, const size_t *at, const uint8_t *far,
      struct sock_filter *out)
{
  for (size_t i = 0; i < n; i++)
    {
      struct sock_filter *y;
      size_t slot;

      if (!keep[i])
        continue;
      y = &out[at[i]];
      *y = p[i];
      if (BPF_CLASS (p[i].code) != BPF_JMP)
        continue;
      slot = at[i] + 1;
      for (int w = 0; w < 2; w++)
        {
          size_t to = at[res[i + 1 + (w == 0 ? p[i].jt : p[i].jf)]], via = to;
          if (far[i] & (1 << w))
            {
              via = slot++;
              out[via] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JA, (uint32_t) (to - via - 1), 0, 0);
            }
          if (w == 0)
            y->jt = (uint8_t) (via - at[i] - 1);
          else
            y->jf = (uint8_t) (via - at[i] - 1);
        }
    }
}

int
seccomp_prune (struct sock_filter *p, size_t *n)
{
  size_t len = *n;
  _cleanup_free_ struct facts *in = calloc (len, sizeof *in);
  _cleanup_free_ bool *reach = calloc (len, sizeof *reach), *keep = calloc (len, sizeof *keep);
  _cleanup_free_ int8_t *taken = calloc (len, sizeof *taken);
  _cleanup_free_ size_t *res = calloc (len, sizeof *res), *at = calloc (len, sizeof *at);
  _cleanup_free_ uint8_t *far = calloc (len, sizeof *far);
  _cleanup_free_ struct sock_filter *out = NULL;
  size_t m;

  if (!seccomp_bpf_plain (p, len))
    return 0;
  if (in == NULL || reach == NULL || keep == NULL || taken == NULL || res == NULL || at == NULL || far == NULL)
    return -ENOMEM;
  walk (p, len, in, reach, taken);
  resolve (p, len, taken, res);
  /* the first load stays: a program starts with one */
  keep[0] = true;
  for (size_t i = 0; i < len; i++)
    {
      if (!keep[i] || p[i].code == (BPF_RET | BPF_K))
        continue;
      if (BPF_CLASS (p[i].code) == BPF_JMP)
        keep[res[i + 1 + p[i].jt]] = keep[res[i + 1 + p[i].jf]] = true;
      else
        keep[res[i + 1]] = true;
    }
  m = layout (p, len, keep, res, at, far);
  if (m >= len)
    return 0; /* nothing to gain */
  if ((out = calloc (m, sizeof *out)) == NULL)
    return -ENOMEM;
  emit (p, len, keep, res, at, far, out);
  memcpy (p, out, m * sizeof *out);
  *n = m;
  return 0;
}
