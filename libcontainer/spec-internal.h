/* spec-internal.h: shared by the files of the config.json parser:
 * spec-json.c (yajl, field tables, paths in errors), spec.c (top level,
 * process, root, mounts, hooks), spec-linux.c ("linux" and
 * LinuxResources), spec-policy.c (the --policy file, same JSON
 * helpers) and spec-blob.c (the same tables, as bytes). Nothing else may include it: it pulls in yajl. */
#ifndef SBX_SPEC_INTERNAL_H
#define SBX_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <yajl/yajl_tree.h>

#include "spec.h"

/* JSON paths in error messages ("linux.resources.pids.limit") are built
 * in stack buffers of this size; longer ones are truncated. */
#define SPEC_PATH_LEN 256

#define SPEC_N(a) (sizeof (a) / sizeof ((a)[0]))

enum spec_kind
{
  SK_STR,  /* char * */
  SK_BOOL, /* bool */
  SK_U16,  /* uint16_t */
  SK_U32,  /* uint32_t */
  SK_I32,  /* int32_t */
  SK_U64,  /* uint64_t, parsed from the raw number text */
  SK_I64,  /* int64_t */
  SK_STRV, /* struct spec_strv */
  SK_MAP,  /* struct spec_map (string values) */
};

#define SPEC_NO_HAS ((size_t) -1)

/* One key of a JSON object and where its value goes in a struct. */
struct spec_field
{
  const char *key;
  enum spec_kind kind;
  size_t off;     /* offset of the member */
  size_t has_off; /* offset of its bool has_x, or SPEC_NO_HAS */
  bool required;
};

#define SPEC_F(type, kind, key, member)                                       \
  { key, kind, offsetof (type, member), SPEC_NO_HAS, false }
#define SPEC_FH(type, kind, key, member, has)                                 \
  { key, kind, offsetof (type, member), offsetof (type, has), false }
#define SPEC_FR(type, kind, key, member)                                      \
  { key, kind, offsetof (type, member), SPEC_NO_HAS, true }

static inline void
spec_yajl_freep (yajl_val *v)
{
  if (*v != NULL)
    yajl_tree_free (*v);
}
#define _cleanup_yajl_ __attribute__ ((cleanup (spec_yajl_freep)))

/* Check the size and nesting cap and parse; the root must be an object. */
yajl_val spec_parse_document (const char *buf, size_t len, sbx_error_t *err);

/* "path.key", or "key" when path is empty (standalone documents). */
void spec_join (char *out, const char *path, const char *key);
/* "path[i]" */
void spec_index (char *out, const char *path, size_t i);
/* Set "path.key: msg" (key may be NULL). Returns -1. */
int spec_fail (sbx_error_t *err, const char *path, const char *key,
               const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

/* "path: Cannot allocate memory". Returns -1. */
int spec_oom (sbx_error_t *err, const char *path);

/* The value of key in obj; NULL when absent or JSON null. */
yajl_val spec_get (yajl_val obj, const char *key);
/* Like spec_get, but the value must be an object. Returns 1 and sets *out
 * when present, 0 when absent, -1 on a type error. */
int spec_get_object (yajl_val obj, const char *key, const char *path,
                     yajl_val *out, sbx_error_t *err);
int spec_expect_object (yajl_val v, const char *path, sbx_error_t *err);

/* Parse one value of a kind into dst (path names the value itself). */
int spec_parse_value (yajl_val v, const char *path, enum spec_kind kind,
                      void *dst, sbx_error_t *err);
/* Fill base from the keys of obj listed in the table. Values already
 * stored stay owned by base: free with spec_free_fields on error too. */
int spec_parse_fields (yajl_val obj, const char *path,
                       const struct spec_field *f, size_t n, void *base,
                       sbx_error_t *err);
void spec_free_fields (const struct spec_field *f, size_t n, void *base);
/* obj[key] is an optional object parsed with a table into base, which
 * it does not own (user, consoleSize). Sets *has (if not NULL) when
 * present. Returns 1 when present, 0 when absent, -1 on error. */
int spec_parse_sub (yajl_val obj, const char *key, const char *path,
                    const struct spec_field *f, size_t n, void *base,
                    bool *has, sbx_error_t *err);
/* obj[key] is an optional object parsed with a table into a new struct of
 * size bytes, stored in *(void **) out before its fields are parsed.
 * Returns 1 when present, 0 when absent, -1 on error. */
int spec_parse_alloc (yajl_val obj, const char *key, const char *path,
                      size_t size, void *out, const struct spec_field *f,
                      size_t n, sbx_error_t *err);

typedef int (*spec_elem_fn) (yajl_val v, const char *path, void *elem,
                             sbx_error_t *err);
/* Parse obj[key], an array of objects, into a calloc'd array of n
 * elements of size bytes. *out and *n are set before the elements are
 * parsed, so the owner's _free releases a partial array. */
int spec_parse_array (yajl_val obj, const char *key, const char *path,
                      size_t size, void *out, size_t *n, spec_elem_fn fn,
                      sbx_error_t *err);
/* Call fn (value, "path.key.name", name) for each member of obj[key]; the
 * values must be objects. */
typedef int (*spec_member_fn) (yajl_val v, const char *path,
                               const char *name, void *elem,
                               sbx_error_t *err);
int spec_parse_object_map (yajl_val obj, const char *key, const char *path,
                           size_t size, void *out, size_t *n,
                           spec_member_fn fn, sbx_error_t *err);

int spec_parse_id_mappings (yajl_val obj, const char *key, const char *path,
                            struct spec_id_mappings *out, sbx_error_t *err);
bool spec_is_absolute (const char *p);

void spec_strv_free (struct spec_strv *s);
void spec_map_free (struct spec_map *m);

/* spec-blob.c: a parsed struct as bytes and back, by its field tables
 * (for sbx's own caches). A reader marks itself bad at the first short or
 * malformed item and returns zeros and NULLs from then on. */
struct blob_in
{
  const char *p, *end;
  bool bad;
};
/* What PUT writes of OBJ, malloc'd (*len bytes); NULL on failure. */
char *blob_encode (void (*put) (FILE *, const void *), const void *obj, size_t *len);
void blob_put_u64 (FILE *f, uint64_t v);
void blob_put_str (FILE *f, const char *s); /* NULL too */
uint64_t blob_get_u64 (struct blob_in *in);
size_t blob_get_count (struct blob_in *in, size_t min_item_size);
char *blob_get_str (struct blob_in *in); /* malloc'd; NULL for none */
void spec_fields_put (FILE *f, const struct spec_field *t, size_t n, const void *base);
/* Into a zeroed base; -1 when bad. What was decoded is base's, to free
   with spec_free_fields, on failure too. */
int spec_fields_get (struct blob_in *in, const struct spec_field *t, size_t n, void *base);

/* spec-linux.c */
/* A seccomp filter's fields as bytes (NULL too), and back: -1 when the
   bytes are bad (*out is then NULL). */
void spec_seccomp_put (FILE *f, const struct spec_seccomp *s);
int spec_seccomp_get (struct blob_in *in, struct spec_seccomp **out);
/* obj["seccomp"], a LinuxSeccomp object (also a policy's harden.seccomp) */
int spec_parse_seccomp (yajl_val obj, const char *path, struct spec_seccomp **out,
                        sbx_error_t *err);
int spec_parse_linux (yajl_val v, const char *path, struct spec_linux **out,
                      sbx_error_t *err);
void spec_linux_free (struct spec_linux *l);
int spec_parse_resources_value (yajl_val v, const char *path,
                                struct spec_resources **out,
                                sbx_error_t *err);

#endif
