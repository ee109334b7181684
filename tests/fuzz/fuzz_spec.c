/* fuzz_spec.c: fuzz target for the config.json parser (spec_parse,
 * spec_parse_process, spec_parse_resources and the _free functions).
 * `make check` builds it with ASan+UBSan around replay.c and replays
 * tests/fuzz/corpus/spec; `make fuzz` builds tests/fuzz/libfuzzer_spec
 * with clang's libFuzzer (see README.md). Every input must come back
 * either as a struct or as an error with a message, and nothing may leak
 * either way. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  sbx_error_t err = { 0, NULL };
  struct sbx_spec *spec;
  struct spec_process *p;
  struct spec_resources *r;

  spec = spec_parse ((const char *) data, size, &err);
  if (spec == NULL && err.msg == NULL)
    abort ();
  spec_free (spec);
  sbx_error_free (&err);

  p = spec_parse_process ((const char *) data, size, &err);
  if (p == NULL && err.msg == NULL)
    abort ();
  spec_process_free (p);
  sbx_error_free (&err);

  r = spec_parse_resources ((const char *) data, size, &err);
  if (r == NULL && err.msg == NULL)
    abort ();
  spec_resources_free (r);
  sbx_error_free (&err);
  return 0;
}
