/* seccomp.h: linux.seccomp -> a libseccomp filter. Prepared (and every
 * name checked) in the parent before any fork; installed by the container
 * init as its very last step before execve. */
#ifndef SBX_SECCOMP_H
#define SBX_SECCOMP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "sbx.h"

/* libcontainer/ is on the include path, so <seccomp.h> names this file:
 * seccomp.c defines SBX_WANT_LIBSECCOMP to get libseccomp's one too. */
#ifdef SBX_WANT_LIBSECCOMP
#include_next <seccomp.h>
#endif

struct spec_seccomp;
struct seccomp_filter;

#ifdef HAVE_SECCOMP
/* Built with libseccomp: seccomp.c. Without it, the inline stubs below
 * keep the callers free of #ifdefs, and fail closed: a config that asks
 * for a filter is an error, never a container without one. */
#define seccomp_built_in true

/* Build the filter; nothing is filtered yet. An unknown action, operator,
 * architecture or flag is an error naming its JSON path; unknown syscall
 * names are skipped, as runc does (Docker lists 32-bit-only names). */
int seccomp_prepare (const struct spec_seccomp *s, struct seccomp_filter **out,
                     sbx_error_t *err);
/* How long libseccomp may take to build and compile a filter before it is
   an error (it can spin without end on some rule sets); tests shorten it. */
extern int seccomp_compile_timeout_ms;
/* Load the filter into the calling thread. No no_new_privs is set here:
 * the caller sets it first when the config asks (unprivileged callers
 * must). *notify_fd gets the SCMP_ACT_NOTIFY listener fd, else -1. */
int seccomp_install (struct seccomp_filter *f, int *notify_fd,
                     sbx_error_t *err);
/* True if some rule uses SCMP_ACT_NOTIFY (a listener fd will come). */
bool seccomp_has_notify (const struct seccomp_filter *f);
void seccomp_filter_free (struct seccomp_filter *f);
/* The compiled program (struct sock_filter[len]) and its flags, for a
 * cache; -1 for a filter with a listener (not cached). */
int seccomp_filter_bpf (const struct seccomp_filter *f, const void **bpf, size_t *len, unsigned int *kflags);
int seccomp_filter_from_bpf (const void *bpf, size_t len, unsigned int kflags, struct seccomp_filter **out,
                             sbx_error_t *err);
/* seccomp_prepare through a cache of compiled programs (seccomp-cache.c):
 * the policy's stacked filter is the same on every create and exec. */
int seccomp_prepare_cached (const struct spec_seccomp *s, struct seccomp_filter **out, sbx_error_t *err);
/* The config's filter (CONFIG, may be NULL) and the policy's (POLICY, may
   be NULL) through the cache; with JOIN, joined where they can be
   (seccomp_join_policy), the joined program kept under a key of its own:
   then *policy_out is NULL. An error in the policy's is wrapped
   "--policy seccomp". */
int seccomp_prepare_joined (const struct spec_seccomp *config, const struct spec_seccomp *policy, bool nnp, bool join,
                            struct seccomp_filter **config_out, struct seccomp_filter **policy_out,
                            sbx_error_t *err);

/* Two filters as one program returning what the kernel returns with
   OLDER attached and NEWER on it (seccomp-compose.c). *out is NULL, with
   0, where they must stay two filters: a listener, SECCOMP_FILTER_FLAG_LOG
   or SPEC_ALLOW (they act per filter), an instruction libseccomp does not
   emit, a program too long. */
int seccomp_compose (const struct seccomp_filter *older, const struct seccomp_filter *newer,
                     struct seccomp_filter **out, sbx_error_t *err);
/* The kernel's result when the newer filter returned NEWER, the older
   OLDER (the more restrictive action; a tie is the newer's). */
uint32_t seccomp_stacked_result (uint32_t newer, uint32_t older);
/* Whether F returns SECCOMP_RET_ALLOW for syscall NR of ARCH (an
   AUDIT_ARCH_*) whatever its arguments and instruction pointer, as the
   kernel's own allow cache decides it: false for a program F cannot be
   read as (a listener, an instruction libseccomp does not emit). */
bool seccomp_always_allows (const struct seccomp_filter *f, uint32_t arch, uint32_t nr);
/* Take out of the classic BPF program P (*N instructions) what can never
   change its result: jumps decided by the syscall numbers and
   architectures that can reach them, loads nothing reads
   (seccomp-prune.c). Same result for every input; a program that is not
   seccomp_bpf_plain is left as it is. *N is the new length; -ENOMEM
   leaves P as it was. */
struct sock_filter;
int seccomp_prune (struct sock_filter *p, size_t *n);
/* Whether P holds only what libseccomp emits (loads of seccomp_data
   words, AND, constant jumps landing inside, constant returns), starts
   with a load and ends with a return: what seccomp_compose and
   seccomp_prune take, and the kernel's allow cache follows. */
bool seccomp_bpf_plain (const struct sock_filter *p, size_t n);
/* The config's filter and the policy's joined into *config where they can
   be (then *policy is NULL), keeping their order: the init loads the
   config's before the policy's without no_new_privs (NNP false), after it
   with. The composite is loaded where the config's was. */
int seccomp_join_policy (struct seccomp_filter **config, struct seccomp_filter **policy, bool nnp,
                         sbx_error_t *err);

/* What sbx recognises, for `sbx features` (NULL-terminated). */
extern const char *const seccomp_known_actions[];
extern const char *const seccomp_known_operators[];
extern const char *const seccomp_known_archs[];
extern const char *const seccomp_known_flags[];
/* The known flags that this kernel and libseccomp support. */
const char *const *seccomp_supported_flags (void);

#else /* !HAVE_SECCOMP */
#define seccomp_built_in false

static inline int
seccomp_prepare (const struct spec_seccomp *s, struct seccomp_filter **out, sbx_error_t *err)
{
  (void) s;
  *out = NULL;
  return sbx_error_set (err, ENOTSUP, "linux.seccomp: sbx was built without libseccomp");
}

static inline int
seccomp_prepare_cached (const struct spec_seccomp *s, struct seccomp_filter **out, sbx_error_t *err)
{
  return seccomp_prepare (s, out, err);
}

static inline int
seccomp_install (struct seccomp_filter *f, int *notify_fd, sbx_error_t *err)
{
  (void) f;
  *notify_fd = -1;
  return sbx_error_set (err, ENOTSUP, "seccomp: sbx was built without libseccomp");
}

static inline bool
seccomp_has_notify (const struct seccomp_filter *f)
{
  (void) f;
  return false;
}

static inline void
seccomp_filter_free (struct seccomp_filter *f)
{
  (void) f;
}

static inline int
seccomp_prepare_joined (const struct spec_seccomp *config, const struct spec_seccomp *policy, bool nnp, bool join,
                        struct seccomp_filter **config_out, struct seccomp_filter **policy_out, sbx_error_t *err)
{
  (void) nnp;
  (void) join;
  *config_out = *policy_out = NULL;
  if (policy != NULL && seccomp_prepare (policy, policy_out, err) < 0)
    return sbx_error_wrap (err, "--policy seccomp");
  return config != NULL ? seccomp_prepare (config, config_out, err) : 0;
}

static inline bool
seccomp_always_allows (const struct seccomp_filter *f, uint32_t arch, uint32_t nr)
{
  (void) f;
  (void) arch;
  (void) nr;
  return false;
}

static inline int
seccomp_join_policy (struct seccomp_filter **config, struct seccomp_filter **policy, bool nnp, sbx_error_t *err)
{
  (void) config;
  (void) policy;
  (void) nnp;
  (void) err;
  return 0;
}

static const char *const seccomp_no_names_[] __attribute__ ((unused)) = { NULL };
#define seccomp_known_actions seccomp_no_names_
#define seccomp_known_operators seccomp_no_names_
#define seccomp_known_archs seccomp_no_names_
#define seccomp_known_flags seccomp_no_names_

static inline const char *const *
seccomp_supported_flags (void)
{
  return seccomp_no_names_;
}
#endif /* HAVE_SECCOMP */

#endif
