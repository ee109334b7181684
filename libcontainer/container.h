/* container.h: internals shared by the container lifecycle files. */
#ifndef SBX_CONTAINER_H
#define SBX_CONTAINER_H

#include "sbx.h"
#include "spec.h"

/* Write a pid file atomically: the bare decimal, no newline. */
int container_write_pid_file (const char *path, pid_t pid, sbx_error_t *err);

/* The config.json saved in a container's state directory by create. */
struct sbx_spec *container_load_config (int dirfd, sbx_error_t *err);

#endif
