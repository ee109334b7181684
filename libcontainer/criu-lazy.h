/* criu-lazy.h: lazy migration (criu's userfaultfd restore) and the page
 * server, with runc's options: `checkpoint --lazy-pages --page-server
 * ADDR:PORT [--status-fd FD]` and `restore --lazy-pages`. */
#ifndef SBX_CRIU_LAZY_H
#define SBX_CRIU_LAZY_H

#include "criu.h"
#include "sbx.h"

/* Dump side: check the combination and the kernel, add criu's options. */
int criu_lazy_dump_args (struct criu_argv *a, const struct sbx_checkpoint_opts *o, sbx_error_t *err);
/* Restore side: `--lazy-pages`, once the kernel and a listening
   `criu lazy-pages` daemon (its socket in the work dir) are there. */
int criu_lazy_restore_args (struct criu_argv *a, const char *work, sbx_error_t *err);

#endif
