/* criu.h: running the criu binary (its command line, not the swrk RPC:
 * see docs/design.md) and describing a container to it: external mounts,
 * stdio, joined namespaces. checkpoint.c drives dump and restore. */
#ifndef SBX_CRIU_H
#define SBX_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sbx.h"
#include "spec.h"

/* The images' record of the init's stdio (runc's file name and format: a
   JSON array of three strings). */
#define CRIU_DESCRIPTORS "descriptors.json"

struct criu_argv
{
  char **v;
  size_t n, cap;
  bool failed;
};

void criu_argv_add (struct criu_argv *a, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void criu_argv_free (struct criu_argv *a);

struct criu_run
{
  const int *keep_fds;      /* passed to criu as the same numbers */
  size_t n_keep;
  const char *cgroup_path;  /* criu starts in it (restore: the tree is born there) */
  const char *bind_root;    /* restore: bind this onto itself in a private mount ns */
  bool root_readonly;       /* ... read-only: criu's root mount is a clone of it */
  const char *work_dir;     /* absolute: where criu's log is */
  const char *log_name;
};

/* Run criu; on failure the error holds the log's error lines, and when
   `criu check` fails too (a kernel criu cannot work with), its output. */
int criu_run (const struct criu_argv *a, const struct criu_run *r, sbx_error_t *err);

/* --external mnt[DEST]:DEST (dump) or mnt[DEST]:HOSTPATH (restore) for
   every mount whose source lies outside the container: binds, the host's
   /dev/null over masked files, host device nodes. */
void criu_external_mounts (struct criu_argv *a, const struct sbx_spec *spec, const char *bundle,
                           bool restore);
/* Restore side: the mount points the checkpointed container had, made
   (fd-confined) in a rootfs that may be a fresh copy of the image. */
int criu_make_mountpoints (const struct sbx_spec *spec, const char *bundle, const char *rootfs,
                           sbx_error_t *err);
/* Dump side of the masked files and host device nodes: external where the
   init's mountinfo shows a mount there that is not a tmpfs. */
int criu_dump_mounts (struct criu_argv *a, const struct sbx_spec *spec, pid_t pid, sbx_error_t *err);
/* Dump side: mark the init's stdio external where it leads outside the
   container and write descriptors.json into the images. */
int criu_dump_stdio (struct criu_argv *a, pid_t pid, int imgfd, sbx_error_t *err);
/* Restore side: --inherit-fd fd[N]:KEY, sbx's own fd N standing for what
   the init's fd N was; where that was the host's /dev/null and fd N is a
   pipe or socket, a /dev/null opened here (null_fds[N], else -1: the
   caller keeps them open across criu's exec, then closes them). */
int criu_restore_stdio (struct criu_argv *a, int imgfd, int null_fds[3], sbx_error_t *err);
/* Namespaces the config joins by path: only the network one can be
   described to criu (as extRootNetNS); another is an error naming it. */
int criu_joined_ns (const struct sbx_spec *spec, sbx_error_t *err);
/* `criu check --feature NAME`: its exit status (0: the kernel has it),
   *out its output (to free). */
int criu_check_feature (const char *feature, char **out);
/* "", soft, full, strict, ignore -> the --manage-cgroups argument. */
int criu_cgroups_mode (const char *mode, const char **out, sbx_error_t *err);

#endif
