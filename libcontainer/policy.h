/* policy.h: the operator's sandbox policy (--policy FILE): what a config
 * may ask for, whatever the engine sends. See docs/policy.md. */
#ifndef SBX_POLICY_H
#define SBX_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sbx.h"
#include "spec.h"

struct sbx_policy
{
  /* allow: a list present limits the field to its entries */
  bool has_caps, has_host_ns, has_binds, has_devices, has_sysctls, has_hooks;
  struct spec_strv caps;        /* CAP_* names */
  struct spec_strv host_ns;     /* namespace types that may be the host's or joined by path */
  struct spec_strv binds;       /* bind source prefixes (host paths) */
  struct spec_strv devices;     /* "c 1:3" */
  struct spec_strv sysctls;     /* names */
  struct spec_strv hooks;       /* hook paths (fnmatch patterns) */
  /* require */
  bool seccomp;                 /* a filter that denies something */
  bool no_new_privileges;
  bool readonly_kernel_fs;      /* sysfs and cgroup mounts ro, /proc/sys read-only */
  struct spec_strv masked_paths; /* each must be in linux.maskedPaths */
  /* harden: what sbx adds when the config lacks it */
  bool readonly_rootfs;         /* root.readonly */
  bool noexec_writable;         /* noexec on every mount that is not ro */
  bool proc_subset_pid;         /* procfs with subset=pid,hidepid=invisible */
  bool has_memory, has_pids;
  int64_t memory;               /* ceiling of linux.resources.memory.limit */
  int64_t pids;                 /* ceiling of linux.resources.pids.limit */
  bool has_cpus;
  int64_t cpu_quota;            /* ceiling of cpu.quota per 100 ms period (harden.cpuMillis) */
  struct spec_map rlimits;      /* RLIMIT_* -> ceiling (decimal text) */
  struct spec_seccomp *seccomp_profile; /* stacked on the config's filter */
  bool has_socket_families;
  struct spec_strv socket_families; /* AF_* names, AF_NETLINK_ROUTE */
  /* harden.userns: a user namespace with a fresh id range per container
     (policy-userns.c) where the config has none */
  bool has_userns;
  struct policy_userns
  {
    char *ids;                  /* "FIRST-LAST": host ids the ranges come from */
    bool has_size;
    int64_t size;               /* ids per container (65536) */
    char *rootfs;               /* "idmap" (default) or "unmapped" */
    uint32_t first, last;       /* ids, parsed */
  } userns;
  char *network;                /* harden.network: "loopback" or NULL */
};

#define POLICY_ANNOTATION "sbx.policy.hardened"
/* What harden.userns and harden.network added, for exec (which reads the
   config as given) and for the allocator: "FIRST SIZE" and the namespace
   types, "user network". Set by sbx only, like the one above. */
#define POLICY_USERNS_ANNOTATION "sbx.policy.userns"
#define POLICY_NS_ANNOTATION "sbx.policy.namespaces"
/* Where the id ranges are taken: one entry per range in use. */
#define POLICY_USERNS_DIR "/run/sbx-userns"

/* Read FILE: it must be a regular file owned by root, writable by nobody
   else, in a directory likewise (spec-policy.c parses it). */
struct sbx_policy *policy_load (const char *path, sbx_error_t *err);
struct sbx_policy *policy_parse (const char *buf, size_t len, sbx_error_t *err);
/* policy_parse through the cache of parsed policies (run-cache.c), keyed
   by this sbx binary and the bytes. */
struct sbx_policy *policy_parse_cached (const char *buf, size_t len, sbx_error_t *err);
/* The parsed policy as bytes (malloc'd) and back (NULL if they are bad). */
char *policy_encode (const struct sbx_policy *p, size_t *len);
struct sbx_policy *policy_decode (const char *buf, size_t len);
void policy_free (struct sbx_policy *p);

/* Refuse a config below the policy: the error names the policy rule and
   the config field ("policy allow.capabilities: process.capabilities.
   bounding has CAP_SYS_ADMIN"). bundle resolves relative bind sources. */
int policy_check (const struct sbx_policy *p, const struct sbx_spec *spec, const char *bundle,
                  sbx_error_t *err);
/* Harden spec in place: what the policy adds where the config lacks it
   or asks for more. What changed is added as the annotation
   sbx.policy.hardened (kept in state.json) and logged once. */
int policy_harden (const struct sbx_policy *p, struct sbx_spec *spec, sbx_error_t *err);
/* The same for an exec process (its rlimits: it does not inherit the
   init's). */
int policy_harden_process (const struct sbx_policy *p, struct spec_process *proc, sbx_error_t *err);
/* The filter the policy stacks on the config's (a syscall runs only if
   both allow it): harden.seccomp plus the socket-family allowlist. *out is
   NULL when the policy has neither; free with spec_seccomp_free. */
int policy_seccomp (const struct sbx_policy *p, struct spec_seccomp **out, sbx_error_t *err);
/* harden.userns and harden.network (policy-userns.c). policy_harden
   calls policy_ns_harden before anything exists: the network namespace,
   the checks. policy_userns_apply runs once the container's state
   directory exists (dirfd): it takes a free id range against that
   directory (policy_range_take) and adds the user namespace, the maps and
   the idmapped rootfs and binds. policy_ns_started brings the loopback up
   in the init's fresh network namespace. */
int policy_ns_harden (const struct sbx_policy *p, struct sbx_spec *spec, char **note, sbx_error_t *err);
int policy_userns_apply (const struct sbx_policy *p, struct sbx_spec *spec, const char *rootfs, int dirfd,
                         sbx_error_t *err);
/* The id ranges (policy-ranges.c). take: a range of u->size ids from u
   that no other container holds, recorded against the state directory
   STATE_DIRFD. release: once a state directory (DEV, INO) is removed,
   give back its range; HINT is the annotation POLICY_USERNS_ANNOTATION
   ("FIRST SIZE") when known, else NULL. Quiet where no policy ever took a
   range. */
int policy_range_take (const struct policy_userns *u, int state_dirfd, uint32_t *first, sbx_error_t *err);
void policy_range_release (unsigned long long dev, unsigned long long ino, const char *hint);
int policy_ns_started (const struct sbx_policy *p, pid_t pid, sbx_error_t *err);
/* exec: the namespaces and maps the policy added, from the container's
   annotations (state.json), into the saved config's spec. */
int policy_exec_namespaces (const struct spec_map *annotations, struct sbx_spec *spec, sbx_error_t *err);
/* Audit: call report for every violation instead of stopping at the
   first; returns how many, -1 on an error that stops the check. */
typedef void (*policy_report_fn) (const char *msg, void *arg);
int policy_report (const struct sbx_policy *p, const struct sbx_spec *spec, const char *bundle,
                   policy_report_fn report, void *arg, sbx_error_t *err);
/* Audit: what policy_ns_harden would refuse, each to report. */
int policy_ns_report (const struct sbx_policy *p, const struct sbx_spec *spec, policy_report_fn report, void *arg);
/* The same for a process started by exec (capabilities, no_new_privs). */
int policy_check_process (const struct sbx_policy *p, const struct spec_process *proc,
                          sbx_error_t *err);

#endif
