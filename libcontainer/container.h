/* container.h: internals shared by the container lifecycle files. */
#ifndef SBX_CONTAINER_H
#define SBX_CONTAINER_H

#include <stddef.h>

#include "sbx.h"
#include "spec.h"

/* A field of a public options struct, or DEF when the caller's struct
   (struct_size) predates it. */
#define SBX_OPT(o, field, def)                                                              \
  ((o)->struct_size >= offsetof (__typeof__ (*(o)), field) + sizeof ((o)->field) ? (o)->field : (def))

/* Write a pid file atomically: the bare decimal, no newline. */
int container_write_pid_file (const char *path, pid_t pid, sbx_error_t *err);

/* The config.json saved in a container's state directory by create. */
struct sbx_spec *container_load_config (int dirfd, sbx_error_t *err);

#endif
