/* fuzz_json.c: the JSON writer's round trip. Every string sbx writes (as a
 * key or a value) must parse back, through the reader sbx uses for its own
 * files, to the same bytes; a string the reader would refuse (not UTF-8)
 * must make the writer fail, never produce a document nobody can read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *s = strndup ((const char *) data, size > 65536 ? 65536 : size);
  struct json_buf b = { 0 };
  struct spec_map m = { 0 };
  sbx_error_t err = { 0, NULL };
  const char *v;

  if (s == NULL)
    abort ();
  json_open (&b, '{');
  json_kv_str (&b, "value", s);
  json_key (&b, "annotations");
  json_open (&b, '{');
  json_kv_str (&b, s, "k");
  json_close (&b, '}');
  json_close (&b, '}');
  if (!b.failed)
    {
      if (json_parse_flat (b.s, b.len, &m, &err) < 0)
        abort (); /* sbx wrote what it cannot read back */
      v = json_map_get (&m, "value");
      if (v == NULL || strcmp (v, s) != 0)
        abort ();
      /* nested keys come out as "annotations.<key>" */
      int found = 0;
      for (size_t i = 0; i < m.n; i++)
        if (strncmp (m.keys[i], "annotations.", 12) == 0 && strcmp (m.keys[i] + 12, s) == 0
            && strcmp (m.values[i], "k") == 0)
          found = 1;
      if (!found)
        abort ();
      json_map_free (&m);
    }
  sbx_error_free (&err);
  json_buf_free (&b);
  free (s);
  return 0;
}
