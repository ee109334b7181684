/* checkpoint.h: checkpoint (sbx_container_checkpoint, public) and the
 * restore step container.c calls instead of cloning an init. */
#ifndef SBX_CHECKPOINT_H
#define SBX_CHECKPOINT_H

#include "process.h"
#include "sbx.h"

/* Make the container's cgroup with its limits, run `criu restore` into
   it, and fill h with the restored init (pid, pidfd, start time). */
int checkpoint_restore_spawn (const struct create_plan *pc, const struct sbx_restore_opts *o,
                              struct process_handle *h, sbx_error_t *err);

#endif
