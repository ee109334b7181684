/* spec-json.c: the JSON side of the config.json parser. Caps size and
 * nesting, runs yajl, and turns values into typed struct members through
 * field tables (struct spec_field), naming the JSON path on every error.
 * What the fields mean is left to spec.c and spec-linux.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"
#include "spec-internal.h"

/* Deeper documents are rejected before yajl sees them: yajl_tree_free
 * recurses once per level, so a 16 MiB "[[[[..." would blow the stack. */
#define SPEC_MAX_DEPTH 128

/* ---- paths and errors ---- */

/* Paths longer than the buffer (long map keys) end in "...". */
static void
mark_truncated (char *out, int r)
{
  if (r >= SPEC_PATH_LEN)
    memcpy (out + SPEC_PATH_LEN - 4, "...", 4);
}

void
spec_join (char *out, const char *path, const char *key)
{
  int r;

  if (path == NULL || path[0] == '\0')
    r = snprintf (out, SPEC_PATH_LEN, "%s", key);
  else
    r = snprintf (out, SPEC_PATH_LEN, "%s.%s", path, key);
  mark_truncated (out, r);
}

void
spec_index (char *out, const char *path, size_t i)
{
  mark_truncated (out, snprintf (out, SPEC_PATH_LEN, "%s[%zu]", path, i));
}

int
spec_fail (sbx_error_t *err, const char *path, const char *key,
           const char *fmt, ...)
{
  char full[SPEC_PATH_LEN], *msg = NULL;
  va_list ap;
  int r;

  if (key != NULL)
    spec_join (full, path, key);
  else
    snprintf (full, sizeof full, "%s", path);
  va_start (ap, fmt);
  r = vasprintf (&msg, fmt, ap);
  va_end (ap);
  if (r < 0)
    return sbx_error_set (err, ENOMEM, "%s", full);
  sbx_error_set (err, 0, "%s: %s", full, msg);
  free (msg);
  return -1;
}

int
spec_oom (sbx_error_t *err, const char *path)
{
  return sbx_error_set (err, ENOMEM, "%s", path[0] ? path : "config.json");
}

bool
spec_is_absolute (const char *p)
{
  return p != NULL && p[0] == '/';
}

/* ---- values ---- */

yajl_val
spec_get (yajl_val obj, const char *key)
{
  yajl_val found = NULL;
  size_t i;

  if (!YAJL_IS_OBJECT (obj))
    return NULL;
  /* With duplicate keys the last one wins, as in Go's encoding/json. */
  for (i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      found = obj->u.object.values[i];
  if (YAJL_IS_NULL (found))
    return NULL;
  return found;
}

int
spec_expect_object (yajl_val v, const char *path, sbx_error_t *err)
{
  if (!YAJL_IS_OBJECT (v))
    return spec_fail (err, path, NULL, "expected object");
  return 0;
}

int
spec_get_object (yajl_val obj, const char *key, const char *path,
                 yajl_val *out, sbx_error_t *err)
{
  yajl_val v = spec_get (obj, key);

  *out = NULL;
  if (v == NULL)
    return 0;
  if (!YAJL_IS_OBJECT (v))
    return spec_fail (err, path, key, "expected object");
  *out = v;
  return 1;
}

static const char *
kind_name (enum spec_kind k)
{
  switch (k)
    {
    case SK_U16:
      return "uint16";
    case SK_U32:
      return "uint32";
    case SK_I32:
      return "int32";
    case SK_U64:
      return "uint64";
    default:
      return "int64";
    }
}

/* yajl keeps the number's text; parse it ourselves so that the whole
 * uint64 range works (yajl's own integer is a long long). */
static int
parse_int (yajl_val v, const char *path, enum spec_kind kind, void *dst,
           sbx_error_t *err)
{
  const char *s;
  uint64_t mag = 0, max;
  bool neg;

  if (!YAJL_IS_NUMBER (v) || YAJL_GET_NUMBER (v) == NULL)
    return spec_fail (err, path, NULL, "expected integer");
  s = YAJL_GET_NUMBER (v);
  neg = *s == '-';
  if (neg)
    s++;
  if (*s == '\0')
    return spec_fail (err, path, NULL, "expected integer");
  for (; *s != '\0'; s++)
    {
      unsigned d = (unsigned) (*s - '0');
      if (d > 9)
        return spec_fail (err, path, NULL, "expected integer");
      if (mag > (UINT64_MAX - d) / 10)
        return spec_fail (err, path, NULL, "out of range for %s",
                          kind_name (kind));
      mag = mag * 10 + d;
    }

  switch (kind)
    {
    case SK_U16:
    case SK_U32:
    case SK_U64:
      max = kind == SK_U16 ? UINT16_MAX
            : kind == SK_U32 ? UINT32_MAX
                             : UINT64_MAX;
      if ((neg && mag != 0) || mag > max)
        return spec_fail (err, path, NULL, "out of range for %s",
                          kind_name (kind));
      if (kind == SK_U16)
        *(uint16_t *) dst = (uint16_t) mag;
      else if (kind == SK_U32)
        *(uint32_t *) dst = (uint32_t) mag;
      else
        *(uint64_t *) dst = mag;
      return 0;
    default:
      max = kind == SK_I32 ? (uint64_t) INT32_MAX : (uint64_t) INT64_MAX;
      /* The negative range has one more value than the positive one. */
      if (mag > max + (neg ? 1 : 0))
        return spec_fail (err, path, NULL, "out of range for %s",
                          kind_name (kind));
      {
        int64_t val = neg ? (int64_t) (0 - mag) : (int64_t) mag;
        if (kind == SK_I32)
          *(int32_t *) dst = (int32_t) val;
        else
          *(int64_t *) dst = val;
      }
      return 0;
    }
}

static int
parse_strv (yajl_val v, const char *path, struct spec_strv *out,
            sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN];
  size_t i, len;

  if (!YAJL_IS_ARRAY (v))
    return spec_fail (err, path, NULL, "expected array of strings");
  len = v->u.array.len;
  spec_strv_free (out);
  out->v = calloc (len + 1, sizeof (char *));
  if (out->v == NULL)
    return spec_oom (err, path);
  for (i = 0; i < len; i++)
    {
      yajl_val e = v->u.array.values[i];
      if (!YAJL_IS_STRING (e))
        {
          spec_index (sub, path, i);
          return spec_fail (err, sub, NULL, "expected string");
        }
      out->v[i] = strdup (e->u.string);
      if (out->v[i] == NULL)
        return spec_oom (err, path);
      out->n = i + 1;
    }
  return 0;
}

static int
parse_map (yajl_val v, const char *path, struct spec_map *out,
           sbx_error_t *err)
{
  size_t i, len;

  if (!YAJL_IS_OBJECT (v))
    return spec_fail (err, path, NULL, "expected object");
  len = v->u.object.len;
  spec_map_free (out);
  out->keys = calloc (len + 1, sizeof (char *));
  out->values = calloc (len + 1, sizeof (char *));
  if (out->keys == NULL || out->values == NULL)
    return spec_oom (err, path);
  for (i = 0; i < len; i++)
    {
      yajl_val e = v->u.object.values[i];
      const char *k = v->u.object.keys[i];
      if (!YAJL_IS_STRING (e))
        return spec_fail (err, path, k, "expected string");
      out->keys[i] = strdup (k);
      out->values[i] = strdup (e->u.string);
      out->n = i + 1;
      if (out->keys[i] == NULL || out->values[i] == NULL)
        return spec_oom (err, path);
    }
  return 0;
}

int
spec_parse_value (yajl_val v, const char *path, enum spec_kind kind,
                  void *dst, sbx_error_t *err)
{
  char *s;

  switch (kind)
    {
    case SK_STR:
      if (!YAJL_IS_STRING (v))
        return spec_fail (err, path, NULL, "expected string");
      s = strdup (v->u.string);
      if (s == NULL)
        return spec_oom (err, path);
      free (*(char **) dst);
      *(char **) dst = s;
      return 0;
    case SK_BOOL:
      if (!YAJL_IS_TRUE (v) && !YAJL_IS_FALSE (v))
        return spec_fail (err, path, NULL, "expected boolean");
      *(bool *) dst = YAJL_IS_TRUE (v);
      return 0;
    case SK_STRV:
      return parse_strv (v, path, dst, err);
    case SK_MAP:
      return parse_map (v, path, dst, err);
    default:
      return parse_int (v, path, kind, dst, err);
    }
}

int
spec_parse_fields (yajl_val obj, const char *path, const struct spec_field *f,
                   size_t n, void *base, sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN];
  size_t i;

  for (i = 0; i < n; i++)
    {
      yajl_val v = spec_get (obj, f[i].key);
      if (v == NULL)
        {
          if (f[i].required)
            return spec_fail (err, path, f[i].key, "required");
          continue;
        }
      spec_join (sub, path, f[i].key);
      if (spec_parse_value (v, sub, f[i].kind, (char *) base + f[i].off, err)
          < 0)
        return -1;
      if (f[i].has_off != SPEC_NO_HAS)
        *(bool *) ((char *) base + f[i].has_off) = true;
    }
  return 0;
}

void
spec_free_fields (const struct spec_field *f, size_t n, void *base)
{
  size_t i;

  if (base == NULL)
    return;
  for (i = 0; i < n; i++)
    {
      void *p = (char *) base + f[i].off;
      if (f[i].kind == SK_STR)
        {
          free (*(char **) p);
          *(char **) p = NULL;
        }
      else if (f[i].kind == SK_STRV)
        spec_strv_free (p);
      else if (f[i].kind == SK_MAP)
        spec_map_free (p);
    }
}

int
spec_parse_alloc (yajl_val obj, const char *key, const char *path,
                  size_t size, void *out, const struct spec_field *f,
                  size_t n, sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN];
  yajl_val v;
  void *p;
  int r;

  r = spec_get_object (obj, key, path, &v, err);
  if (r <= 0)
    return r;
  spec_join (sub, path, key);
  p = calloc (1, size);
  if (p == NULL)
    return spec_oom (err, sub);
  *(void **) out = p;
  if (spec_parse_fields (v, sub, f, n, p, err) < 0)
    return -1;
  return 1;
}

int
spec_parse_sub (yajl_val obj, const char *key, const char *path,
                const struct spec_field *f, size_t n, void *base, bool *has,
                sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN];
  yajl_val v;
  int r;

  r = spec_get_object (obj, key, path, &v, err);
  if (r <= 0)
    return r;
  spec_join (sub, path, key);
  if (spec_parse_fields (v, sub, f, n, base, err) < 0)
    return -1;
  if (has != NULL)
    *has = true;
  return 1;
}

int
spec_parse_array (yajl_val obj, const char *key, const char *path,
                  size_t size, void *out, size_t *n, spec_elem_fn fn,
                  sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN], elem[SPEC_PATH_LEN];
  yajl_val v = spec_get (obj, key);
  char *arr;
  size_t i, len;

  if (v == NULL)
    return 0;
  spec_join (sub, path, key);
  if (!YAJL_IS_ARRAY (v))
    return spec_fail (err, sub, NULL, "expected array");
  len = v->u.array.len;
  if (len == 0)
    return 0;
  arr = calloc (len, size);
  if (arr == NULL)
    return spec_oom (err, sub);
  *(void **) out = arr;
  *n = len;
  for (i = 0; i < len; i++)
    {
      spec_index (elem, sub, i);
      if (spec_expect_object (v->u.array.values[i], elem, err) < 0
          || fn (v->u.array.values[i], elem, arr + i * size, err) < 0)
        return -1;
    }
  return 0;
}

int
spec_parse_object_map (yajl_val obj, const char *key, const char *path,
                       size_t size, void *out, size_t *n, spec_member_fn fn,
                       sbx_error_t *err)
{
  char sub[SPEC_PATH_LEN], elem[SPEC_PATH_LEN];
  yajl_val v;
  char *arr;
  size_t i, len;
  int r;

  r = spec_get_object (obj, key, path, &v, err);
  if (r <= 0)
    return r;
  spec_join (sub, path, key);
  len = v->u.object.len;
  if (len == 0)
    return 0;
  arr = calloc (len, size);
  if (arr == NULL)
    return spec_oom (err, sub);
  *(void **) out = arr;
  *n = len;
  for (i = 0; i < len; i++)
    {
      spec_join (elem, sub, v->u.object.keys[i]);
      if (spec_expect_object (v->u.object.values[i], elem, err) < 0
          || fn (v->u.object.values[i], elem, v->u.object.keys[i],
                 arr + i * size, err)
                 < 0)
        return -1;
    }
  return 0;
}

#define IDMAP(kind, key, m) SPEC_FR (struct spec_id_mapping, kind, key, m)
static const struct spec_field id_mapping_fields[] = {
  IDMAP (SK_U32, "containerID", container_id),
  IDMAP (SK_U32, "hostID", host_id),
  IDMAP (SK_U32, "size", size),
};

static int
parse_id_mapping (yajl_val v, const char *path, void *elem, sbx_error_t *err)
{
  return spec_parse_fields (v, path, id_mapping_fields,
                            SPEC_N (id_mapping_fields), elem, err);
}

int
spec_parse_id_mappings (yajl_val obj, const char *key, const char *path,
                        struct spec_id_mappings *out, sbx_error_t *err)
{
  return spec_parse_array (obj, key, path, sizeof (struct spec_id_mapping),
                           &out->v, &out->n, parse_id_mapping, err);
}

int
spec_strv_push (struct spec_strv *v, const char *s)
{
  char **n = realloc (v->v, (v->n + 2) * sizeof *n);

  if (n == NULL)
    return -1;
  v->v = n;
  if ((n[v->n] = strdup (s)) == NULL)
    return -1;
  n[++v->n] = NULL;
  return 0;
}

int
spec_map_push (struct spec_map *m, const char *k, size_t klen, const char *v)
{
  char **nk = realloc (m->keys, (m->n + 1) * sizeof *nk), **nv;

  if (nk == NULL)
    return -1;
  m->keys = nk;
  nv = realloc (m->values, (m->n + 1) * sizeof *nv);
  if (nv == NULL)
    return -1;
  m->values = nv;
  nk[m->n] = strndup (k, klen);
  nv[m->n] = strdup (v);
  if (nk[m->n] == NULL || nv[m->n] == NULL)
    {
      free (nk[m->n]);
      free (nv[m->n]);
      return -1;
    }
  m->n++;
  return 0;
}

void
spec_strv_free (struct spec_strv *s)
{
  size_t i;

  if (s->v != NULL)
    for (i = 0; i < s->n; i++)
      free (s->v[i]);
  free (s->v);
  s->v = NULL;
  s->n = 0;
}

void
spec_map_free (struct spec_map *m)
{
  size_t i;

  for (i = 0; i < m->n; i++)
    {
      free (m->keys[i]);
      free (m->values[i]);
    }
  free (m->keys);
  free (m->values);
  m->keys = m->values = NULL;
  m->n = 0;
}

/* ---- documents ---- */

/* One pass over the raw text before yajl: cap the nesting depth, and
 * reject NUL bytes and "\u0000" escapes, which yajl would silently turn
 * into a truncated C string ("/etc\u0000/../x" -> "/etc"). */
static int
prescan (const char *buf, size_t len, sbx_error_t *err)
{
  bool in_string = false;
  size_t i, depth = 0;

  if (memchr (buf, '\0', len) != NULL)
    return sbx_error_set (err, 0, "invalid JSON: NUL byte in input");
  for (i = 0; i < len; i++)
    {
      char c = buf[i];
      if (in_string)
        {
          if (c == '"')
            in_string = false;
          else if (c == '\\' && i + 1 < len)
            {
              if (buf[i + 1] == 'u' && i + 5 < len
                  && strncmp (buf + i + 2, "0000", 4) == 0)
                return sbx_error_set (err, 0,
                                      "invalid JSON: \\u0000 in a string");
              i++;
            }
        }
      else if (c == '"')
        in_string = true;
      else if ((c == '[' || c == '{') && ++depth > SPEC_MAX_DEPTH)
        return sbx_error_set (err, 0, "invalid JSON: nested deeper than %d",
                              SPEC_MAX_DEPTH);
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return 0;
}

/* yajl's message spans several lines (text, excerpt, arrow). */
static void
one_line (char *s)
{
  char *r, *w = s;

  for (r = s; *r != '\0'; r++)
    {
      if ((unsigned char) *r > ' ')
        *w++ = *r;
      else if (w > s && w[-1] != ' ')
        *w++ = ' ';
    }
  while (w > s && w[-1] == ' ')
    w--;
  *w = '\0';
}

yajl_val
spec_parse_document (const char *buf, size_t len, sbx_error_t *err)
{
  _cleanup_free_ char *copy = NULL;
  char errbuf[1024] = "";
  yajl_val root;

  if (len > SPEC_MAX_SIZE)
    {
      sbx_error_set (err, 0, "file too large");
      return NULL;
    }
  if (buf == NULL)
    buf = "";
  if (prescan (buf, len, err) < 0)
    return NULL;
  copy = malloc (len + 1);
  if (copy == NULL)
    {
      sbx_error_set (err, ENOMEM, "config.json");
      return NULL;
    }
  memcpy (copy, buf, len);
  copy[len] = '\0';
  root = yajl_tree_parse (copy, errbuf, sizeof errbuf);
  if (root == NULL)
    {
      one_line (errbuf);
      sbx_error_set (err, 0, "invalid JSON: %s",
                     errbuf[0] != '\0' ? errbuf : "parse error");
      return NULL;
    }
  if (!YAJL_IS_OBJECT (root))
    {
      yajl_tree_free (root);
      sbx_error_set (err, 0, "invalid JSON: expected an object");
      return NULL;
    }
  return root;
}

