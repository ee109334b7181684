/* sbx.h: the public API of libcontainer. The CLI in src/ fills a
 * struct sbx_context and calls one sbx_container_* function per command.
 * This header must compile without yajl, libseccomp or libselinux. */
#ifndef SBX_H
#define SBX_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define SBX_PUBLIC __attribute__ ((visibility ("default")))

/* The runtime-spec version sbx implements and reports. */
#define SBX_OCI_VERSION "1.2.0"

typedef struct sbx_error
{
  int errno_;
  char *msg;
} sbx_error_t;

SBX_PUBLIC void sbx_error_free (sbx_error_t *err);

enum sbx_log_format
{
  SBX_LOG_TEXT = 0,
  SBX_LOG_JSON,
};

/* Global options, shared by every command. */
struct sbx_context
{
  size_t struct_size;
  const char *root;          /* state directory, default /run/sbx */
  const char *log_path;      /* --log, NULL: stderr */
  enum sbx_log_format log_format;
  bool debug;
  bool systemd_cgroup;
  const char *policy_path;   /* --policy: the operator's sandbox policy */
};

struct sbx_create_opts
{
  size_t struct_size;
  const char *bundle;         /* default: cwd */
  const char *pid_file;
  const char *console_socket;
  unsigned int preserve_fds;
  bool no_pivot;
  bool no_new_keyring;
  bool detach;                /* run only */
  bool keep;                  /* run only: leave the stopped container */
};

struct sbx_exec_opts
{
  size_t struct_size;
  const char *process_file;   /* --process: a runtime-spec process JSON */
  char *const *args;          /* otherwise: the command */
  size_t n_args;
  bool tty;
  bool detach;
  const char *pid_file;
  const char *console_socket;
  const char *cwd;
  char *const *env;           /* -e K=V, appended */
  size_t n_env;
  const char *user;           /* UID[:GID] */
  const char *additional_gids; /* "10,20" */
  char *const *caps;          /* --cap, added to bounding/effective/permitted */
  size_t n_caps;
  bool no_new_privs;
  const char *apparmor;
  const char *process_label;
  unsigned int preserve_fds;
  const char *cgroup;         /* sub-cgroup of the container's */
  bool ignore_paused;         /* exec into a paused (frozen) container */
};

enum sbx_list_format
{
  SBX_LIST_TABLE = 0,
  SBX_LIST_JSON,
};

SBX_PUBLIC int sbx_log_init (struct sbx_context *ctx, sbx_error_t *err);
/* Print an error once, in the context's log format (and to stderr). */
SBX_PUBLIC void sbx_log_error (struct sbx_context *ctx, const sbx_error_t *err);

SBX_PUBLIC int sbx_container_create (struct sbx_context *ctx, const char *id,
                                     const struct sbx_create_opts *opts,
                                     sbx_error_t *err);
SBX_PUBLIC int sbx_container_start (struct sbx_context *ctx, const char *id,
                                    sbx_error_t *err);
/* Returns the exit status to exit with (0-255), or -1 on error. */
SBX_PUBLIC int sbx_container_run (struct sbx_context *ctx, const char *id,
                                  const struct sbx_create_opts *opts,
                                  sbx_error_t *err);
/* Returns the process's exit status (0 with --detach), or -1 on error. */
SBX_PUBLIC int sbx_container_exec (struct sbx_context *ctx, const char *id,
                                   const struct sbx_exec_opts *opts, sbx_error_t *err);
SBX_PUBLIC int sbx_container_pause (struct sbx_context *ctx, const char *id, bool pause,
                                    sbx_error_t *err);
SBX_PUBLIC int sbx_container_ps (struct sbx_context *ctx, const char *id, bool json,
                                 FILE *out, sbx_error_t *err);
/* json: an OCI LinuxResources object; zeros leave values unchanged. */
SBX_PUBLIC int sbx_container_update (struct sbx_context *ctx, const char *id,
                                     const char *json, size_t len, sbx_error_t *err);

/* `sbx update`'s flags as typed values: a field whose has_ flag is false
   (or a cpuset string left NULL) is left as it is, and so is 0, as in
   update's JSON. Sizes in bytes, times in microseconds, -1: unlimited. */
struct sbx_resources
{
  size_t struct_size;
  bool has_memory, has_memory_reservation, has_memory_swap, has_kernel_memory,
      has_kernel_memory_tcp;
  int64_t memory, memory_reservation, memory_swap, kernel_memory, kernel_memory_tcp;
  bool has_cpu_shares, has_cpu_quota, has_cpu_period, has_cpu_burst, has_cpu_rt_period,
      has_cpu_rt_runtime;
  uint64_t cpu_shares, cpu_period, cpu_burst, cpu_rt_period;
  int64_t cpu_quota, cpu_rt_runtime;
  const char *cpuset_cpus, *cpuset_mems;
  bool has_pids_limit;
  int64_t pids_limit;
  bool has_blkio_weight;
  uint16_t blkio_weight;
};
SBX_PUBLIC int sbx_container_update_resources (struct sbx_context *ctx, const char *id,
                                               const struct sbx_resources *r, sbx_error_t *err);
/* One stats line (stats), or stats/oom events every interval seconds
   until the container stops. */
SBX_PUBLIC int sbx_container_events (struct sbx_context *ctx, const char *id, bool stats,
                                     unsigned interval, FILE *out, sbx_error_t *err);
SBX_PUBLIC int sbx_container_state (struct sbx_context *ctx, const char *id,
                                    FILE *out, sbx_error_t *err);
SBX_PUBLIC int sbx_container_kill (struct sbx_context *ctx, const char *id,
                                   int signo, bool all, sbx_error_t *err);
SBX_PUBLIC int sbx_container_delete (struct sbx_context *ctx, const char *id,
                                     bool force, sbx_error_t *err);
SBX_PUBLIC int sbx_container_list (struct sbx_context *ctx,
                                   enum sbx_list_format format, bool quiet,
                                   FILE *out, sbx_error_t *err);
/* checkpoint/restore through CRIU (criu.c, checkpoint.c): runc's options. */
/* What checkpoint and restore both take. */
struct sbx_criu_opts
{
  const char *image_path;     /* default: ./checkpoint */
  const char *work_path;      /* logs; default: image_path */
  const char *manage_cgroups_mode; /* soft (default), full, strict, ignore */
  bool tcp_established;
  bool ext_unix_sk;
  bool shell_job;
  bool file_locks;
  bool auto_dedup;
  bool lazy_pages;
  bool empty_ns_net;          /* --empty-ns network */
};

struct sbx_checkpoint_opts
{
  size_t struct_size;
  struct sbx_criu_opts criu;
  const char *parent_path;    /* previous (pre-)dump, relative to image_path */
  bool leave_running;
  bool pre_dump;
  const char *page_server;    /* ADDR:PORT: with lazy_pages where criu serves the
                                 pages, else a `criu page-server` to send them to */
  bool has_status_fd;
  int status_fd;              /* lazy_pages: criu writes \0 here once it serves */
};

struct sbx_restore_opts
{
  size_t struct_size;
  struct sbx_create_opts create; /* bundle, pid_file, console_socket, no_pivot, detach */
  struct sbx_criu_opts criu;
  bool no_subreaper;
};

SBX_PUBLIC int sbx_container_checkpoint (struct sbx_context *ctx, const char *id,
                                         const struct sbx_checkpoint_opts *opts, sbx_error_t *err);
/* Returns the exit status to exit with (0 with --detach), or -1 on error. */
SBX_PUBLIC int sbx_container_restore (struct sbx_context *ctx, const char *id,
                                      const struct sbx_restore_opts *opts, sbx_error_t *err);

/* Write a default config.json into bundle_dir. */
SBX_PUBLIC int sbx_spec_generate (const char *bundle_dir, bool rootless,
                                  sbx_error_t *err);



/* `sbx features`: the runtime-spec features document as JSON. */
/* Re-execute sbx from a copy no container can write (see selfexe.c) unless
   /proc/self/exe already is one. Returns 0 when protected, -1 on error;
   does not return when it re-executes. */
SBX_PUBLIC int sbx_protect_self (char **argv, sbx_error_t *err);
/* The directory the sbx binary was started from (before that re-exec). */
const char *sbx_self_dir (void);

SBX_PUBLIC int sbx_features_print (FILE *out, sbx_error_t *err);
/* `sbx check`: one line (or JSON object) per host item; returns how many
   items fail (sandboxing cannot hold), -1 on error. */
SBX_PUBLIC int sbx_host_check (FILE *out, bool json, sbx_error_t *err);
/* `sbx audit`: what BUNDLE's config grants; with policy_path, every rule
   it breaks. Returns how many it breaks, -1 on error. */
SBX_PUBLIC int sbx_audit (const char *bundle, const char *policy_path, bool json, FILE *out,
                          sbx_error_t *err);

#endif
