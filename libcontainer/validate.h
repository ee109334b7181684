/* validate.h: cross-field checks of a parsed config, all done before any
 * fork, so bad input never leaves anything half made. */
#ifndef SBX_VALIDATE_H
#define SBX_VALIDATE_H

#include "sbx.h"
#include "spec.h"

int validate_spec (const struct sbx_spec *spec, sbx_error_t *err);
/* The checks of validate_spec that concern the process alone (env, LSM
 * labels): exec runs them on the process it builds. */
int validate_process (const struct spec_process *p, sbx_error_t *err);

#endif
