/* spec.h: config.json (OCI runtime-spec 1.2, Linux) as typed structs.
 * The parser (spec.c and the spec-*.c files, through spec-internal.h)
 * fills these structs and checks types and required fields, naming the
 * JSON path on error; it and json.c (sbx's own state files) are the only
 * files that include yajl.
 * Cross-field checks (e.g. a user namespace without mappings) live in
 * validate.c. Optional scalars have a has_x flag: absent and 0 differ. */
#ifndef SBX_SPEC_H
#define SBX_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sbx.h"

/* Largest config.json accepted (bytes). */
#define SPEC_MAX_SIZE (16 * 1024 * 1024)

/* A NULL-terminated string array with its length. */
struct spec_strv
{
  char **v;
  size_t n;
};

/* A string map, in document order. */
struct spec_map
{
  char **keys;
  char **values;
  size_t n;
};

struct spec_id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct spec_id_mappings
{
  struct spec_id_mapping *v;
  size_t n;
};

struct spec_rlimit
{
  char *type;   /* "RLIMIT_NOFILE" */
  uint64_t soft;
  uint64_t hard;
};

struct spec_capabilities
{
  bool has_bounding, has_effective, has_inheritable, has_permitted, has_ambient;
  struct spec_strv bounding, effective, inheritable, permitted, ambient;
};

struct spec_user
{
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username; /* windows only; kept for completeness */
};

struct spec_scheduler
{
  char *policy;             /* required when scheduler is present */
  bool has_nice, has_priority, has_runtime, has_deadline, has_period;
  int32_t nice;
  int32_t priority;
  struct spec_strv flags;
  uint64_t runtime;
  uint64_t deadline;
  uint64_t period;
};

struct spec_io_priority
{
  char *klass;              /* "class" */
  int32_t priority;
};

struct spec_process
{
  bool terminal;
  bool has_console_size;
  uint32_t console_height;
  uint32_t console_width;
  struct spec_user user;
  struct spec_strv args;    /* required, non-empty */
  char *command_line;
  struct spec_strv env;
  char *cwd;                /* required, absolute */
  struct spec_capabilities *capabilities; /* NULL: absent */
  struct spec_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int32_t oom_score_adj;
  char *selinux_label;
  struct spec_scheduler *scheduler;
  struct spec_io_priority *io_priority;
  char *exec_cpu_affinity_initial;
  char *exec_cpu_affinity_final;
};

struct spec_root
{
  char *path;               /* required */
  bool readonly;
};

struct spec_mount
{
  char *destination;        /* required */
  char *type;
  char *source;
  struct spec_strv options;
  struct spec_id_mappings uid_mappings;
  struct spec_id_mappings gid_mappings;
};

struct spec_hook
{
  char *path;               /* required, absolute */
  struct spec_strv args;
  struct spec_strv env;
  bool has_timeout;
  int32_t timeout;          /* seconds, > 0 */
};

struct spec_hook_list
{
  struct spec_hook *v;
  size_t n;
};

struct spec_hooks
{
  struct spec_hook_list prestart;
  struct spec_hook_list create_runtime;
  struct spec_hook_list create_container;
  struct spec_hook_list start_container;
  struct spec_hook_list poststart;
  struct spec_hook_list poststop;
};

enum spec_ns_type
{
  SPEC_NS_PID = 0,
  SPEC_NS_NETWORK,
  SPEC_NS_MOUNT,
  SPEC_NS_IPC,
  SPEC_NS_UTS,
  SPEC_NS_USER,
  SPEC_NS_CGROUP,
  SPEC_NS_TIME,
  SPEC_NS_COUNT,
};

struct spec_namespace
{
  enum spec_ns_type type;
  char *path;               /* NULL: create a new one */
};

struct spec_time_offset
{
  bool present;
  int64_t secs;
  uint32_t nanosecs;
};

struct spec_device
{
  char *type;               /* "c", "b", "u", "p" */
  char *path;               /* required, absolute */
  int64_t major;
  int64_t minor;
  bool has_file_mode, has_uid, has_gid;
  uint32_t file_mode;
  uint32_t uid;
  uint32_t gid;
};

struct spec_device_cgroup
{
  bool allow;               /* required */
  char *type;               /* NULL or "a": all */
  bool has_major, has_minor;
  int64_t major;            /* absent: wildcard */
  int64_t minor;
  char *access;             /* NULL: "rwm" */
};

struct spec_memory
{
  bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp,
      has_swappiness, has_disable_oom_killer, has_use_hierarchy,
      has_check_before_update;
  int64_t limit;
  int64_t reservation;
  int64_t swap;
  int64_t kernel;
  int64_t kernel_tcp;
  uint64_t swappiness;
  bool disable_oom_killer;
  bool use_hierarchy;
  bool check_before_update;
};

struct spec_cpu
{
  bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
      has_realtime_period, has_idle;
  uint64_t shares;
  int64_t quota;
  uint64_t burst;
  uint64_t period;
  int64_t realtime_runtime;
  uint64_t realtime_period;
  char *cpus;
  char *mems;
  int64_t idle;
};

struct spec_weight_device
{
  int64_t major;
  int64_t minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight;
  uint16_t leaf_weight;
};

struct spec_throttle_device
{
  int64_t major;
  int64_t minor;
  uint64_t rate;
};

struct spec_throttle_list
{
  struct spec_throttle_device *v;
  size_t n;
};

struct spec_block_io
{
  bool has_weight, has_leaf_weight;
  uint16_t weight;
  uint16_t leaf_weight;
  struct spec_weight_device *weight_device;
  size_t n_weight_device;
  struct spec_throttle_list throttle_read_bps;
  struct spec_throttle_list throttle_write_bps;
  struct spec_throttle_list throttle_read_iops;
  struct spec_throttle_list throttle_write_iops;
};

struct spec_hugepage_limit
{
  char *page_size;          /* "2MB" */
  uint64_t limit;
};

struct spec_net_priority
{
  char *name;
  uint32_t priority;
};

struct spec_network
{
  bool has_class_id;
  uint32_t class_id;
  struct spec_net_priority *priorities;
  size_t n_priorities;
};

struct spec_rdma
{
  char *name;               /* the map key */
  bool has_hca_handles, has_hca_objects;
  uint32_t hca_handles;
  uint32_t hca_objects;
};

struct spec_resources
{
  struct spec_device_cgroup *devices;
  size_t n_devices;
  struct spec_memory *memory;
  struct spec_cpu *cpu;
  struct spec_block_io *block_io;
  struct spec_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  struct spec_network *network;
  bool has_pids_limit;
  int64_t pids_limit;
  struct spec_rdma *rdma;
  size_t n_rdma;
  struct spec_map unified;
};

struct spec_seccomp_arg
{
  uint32_t index;
  uint64_t value;
  uint64_t value_two;
  char *op;                 /* "SCMP_CMP_EQ" ... */
};

struct spec_seccomp_syscall
{
  struct spec_strv names;
  char *action;             /* required */
  bool has_errno_ret;
  uint32_t errno_ret;
  struct spec_seccomp_arg *args;
  size_t n_args;
};

struct spec_seccomp
{
  char *default_action;     /* required */
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  struct spec_strv architectures;
  struct spec_strv flags;
  char *listener_path;
  char *listener_metadata;
  struct spec_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

struct spec_intel_rdt
{
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  bool enable_cmt;
  bool enable_mbm;
};

struct spec_personality
{
  char *domain;             /* "LINUX" or "LINUX32" */
  struct spec_strv flags;
};

struct spec_memory_policy
{
  char *mode;               /* required: "MPOL_BIND" ... */
  char *nodes;              /* "0-3,7"; NULL: none */
  struct spec_strv flags;   /* "MPOL_F_STATIC_NODES" ... */
};

struct spec_net_device
{
  char *host_name;          /* the map key */
  char *name;               /* name inside the container; NULL: same */
};

struct spec_linux
{
  struct spec_namespace *namespaces;
  size_t n_namespaces;
  struct spec_id_mappings uid_mappings;
  struct spec_id_mappings gid_mappings;
  struct spec_time_offset time_monotonic;
  struct spec_time_offset time_boottime;
  struct spec_device *devices;
  size_t n_devices;
  struct spec_net_device *net_devices;
  size_t n_net_devices;
  char *cgroups_path;
  struct spec_resources *resources;
  char *rootfs_propagation;
  struct spec_seccomp *seccomp;
  struct spec_map sysctl;
  struct spec_strv masked_paths;
  struct spec_strv readonly_paths;
  char *mount_label;
  struct spec_intel_rdt *intel_rdt;
  struct spec_personality *personality;
  struct spec_memory_policy *memory_policy;
};

struct sbx_spec
{
  char *oci_version;        /* required; major must be 1 */
  struct spec_process *process; /* NULL: absent */
  struct spec_root *root;       /* NULL: absent */
  char *hostname;
  char *domainname;
  struct spec_mount *mounts;
  size_t n_mounts;
  struct spec_hooks *hooks;     /* NULL: absent */
  struct spec_map annotations;
  struct spec_linux *linux_;    /* NULL: absent */
};

/* Parse a config.json document held in memory (len bytes). */
struct sbx_spec *spec_parse (const char *buf, size_t len, sbx_error_t *err);
/* The same, linux.seccomp taken from a cache of profiles parsed before
   (spec-cache.c) when sbx is root: what create and exec read. */
struct sbx_spec *spec_parse_cached (const char *buf, size_t len, sbx_error_t *err);
/* Read and parse a file; the error names the path. */
struct sbx_spec *spec_load (const char *path, sbx_error_t *err);
/* Parse a process object alone (exec --process file). */
struct spec_process *spec_parse_process (const char *buf, size_t len,
                                         sbx_error_t *err);
/* Parse a LinuxResources object alone (update --resources). */
struct spec_resources *spec_parse_resources (const char *buf, size_t len,
                                             sbx_error_t *err);
void spec_free (struct sbx_spec *spec);
/* Append a copy of s to a string array / free its contents. */
int spec_strv_push (struct spec_strv *v, const char *s);
/* Append KEY (its first KLEN bytes) = V to M (copies); -1 on ENOMEM. */
int spec_map_push (struct spec_map *m, const char *k, size_t klen, const char *v);
void spec_seccomp_free (struct spec_seccomp *s);
void spec_strv_free (struct spec_strv *v);
void spec_process_free (struct spec_process *p);
void spec_resources_free (struct spec_resources *r);

/* "pid" -> SPEC_NS_PID; -1 if unknown. */
int spec_ns_type_from_string (const char *s);
const char *spec_ns_type_to_string (enum spec_ns_type t);
/* The namespace entry of a type, or NULL. */
const struct spec_namespace *spec_linux_namespace (const struct sbx_spec *s,
                                                   enum spec_ns_type t);

#endif
