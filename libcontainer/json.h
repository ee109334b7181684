/* json.h: the runtime's own small JSON documents (state.json, `state` and
 * `list` output): a string builder, and a reader for flat objects. The
 * config.json parser is spec.c; this file is for the files sbx writes. */
#ifndef SBX_JSON_H
#define SBX_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbx.h"
#include "spec.h"

struct json_buf
{
  char *s;
  size_t len, cap;
  bool need_comma;
  bool failed;
};

void json_open (struct json_buf *b, char c);           /* '{' or '[' */
void json_close (struct json_buf *b, char c);          /* '}' or ']' */
void json_key (struct json_buf *b, const char *key);
void json_str (struct json_buf *b, const char *value); /* NULL: null */
void json_int (struct json_buf *b, long long v);
void json_bool (struct json_buf *b, bool v);
void json_kv_str (struct json_buf *b, const char *key, const char *value);
void json_kv_int (struct json_buf *b, const char *key, long long v);
void json_raw (struct json_buf *b, const char *text);
/* N bytes as they are, no separator: the buffer for other text too. */
void json_buf_append (struct json_buf *b, const void *s, size_t n);
void json_buf_free (struct json_buf *b);
/* Is s valid UTF-8 (what the JSON reader accepts)? */
bool json_is_utf8 (const char *s);

/* Parse a JSON object whose values are scalars or objects of strings;
 * keys of nested objects come out as "outer.inner". Numbers keep their
 * text; true/false become "true"/"false"; null values are left out. */
int json_parse_flat (const char *buf, size_t len, struct spec_map *out,
                     sbx_error_t *err);
const char *json_map_get (const struct spec_map *m, const char *key);
void json_map_free (struct spec_map *m);

#endif
