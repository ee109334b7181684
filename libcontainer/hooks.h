/* hooks.h: OCI hooks. Who runs which (runtime-spec "Lifecycle"):
 *   prestart, createRuntime  the parent (`create`), runtime namespaces,
 *                            after the namespaces exist, before pivot_root
 *   createContainer          the init, container namespaces, before pivot
 *   startContainer           the init, after `start`, before execve
 *   poststart                `start`, after the program was released
 *   poststop                 `delete`, after the container is gone
 * A failing hook fails the step, except poststart/poststop: a warning. */
#ifndef SBX_HOOKS_H
#define SBX_HOOKS_H

#include <stdbool.h>

#include "sbx.h"
#include "spec.h"

/* Run each hook of the list in order: state JSON on stdin, cwd = dir (or
 * unchanged if NULL), output to the log, killed after its timeout. */
int hooks_run (const struct spec_hook_list *l, const char *kind, const char *state_json,
               const char *dir, sbx_error_t *err);
/* The same, but failures are logged as warnings and not returned. */
void hooks_run_warn (const struct spec_hook_list *l, const char *kind,
                     const char *state_json, const char *dir);
bool hooks_any (const struct spec_hooks *h, bool runtime_side);

#endif
