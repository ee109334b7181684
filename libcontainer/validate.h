/* validate.h: cross-field checks of a parsed config, all done before any
 * fork, so bad input never leaves anything half made. */
#ifndef SBX_VALIDATE_H
#define SBX_VALIDATE_H

#include "sbx.h"
#include "spec.h"

int validate_spec (const struct sbx_spec *spec, sbx_error_t *err);

#endif
