/* spec-blob.c: a parsed struct back and forth as bytes, driven by the
 * same field tables the JSON parser uses, so a member added to a table is
 * carried too. For caches of sbx's own (run-cache.c): the bytes are read
 * back only by the sbx binary that wrote them (the cache key names it),
 * yet every length is checked against what is left, and any mismatch is a
 * decoding error (the caller then parses the JSON).
 *
 * Integers are 8 bytes in host order; a string is its length (4 bytes,
 * 0xffffffff for none) and its bytes; a list or map its count and its
 * strings. A table member with a "has" flag is preceded by it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"

#define NO_STRING UINT32_MAX

void
blob_put_u64 (FILE *f, uint64_t v)
{
  fwrite (&v, 8, 1, f);
}

char *
blob_encode (void (*put) (FILE *, const void *), const void *obj, size_t *len)
{
  char *out = NULL;
  FILE *m = open_memstream (&out, len);

  if (m == NULL)
    return NULL;
  put (m, obj);
  if (fclose (m) != 0)
    {
      free (out);
      return NULL;
    }
  return out;
}

void
blob_put_str (FILE *f, const char *s)
{
  uint32_t n = s == NULL ? NO_STRING : (uint32_t) strlen (s);

  fwrite (&n, 4, 1, f);
  if (s != NULL)
    fwrite (s, 1, n, f);
}

uint64_t
blob_get_u64 (struct blob_in *in)
{
  uint64_t v = 0;

  if (in->bad || (size_t) (in->end - in->p) < 8)
    {
      in->bad = true;
      return 0;
    }
  memcpy (&v, in->p, 8);
  in->p += 8;
  return v;
}

/* A count of things of at least MIN bytes each: no more than are left. */
size_t
blob_get_count (struct blob_in *in, size_t min)
{
  uint64_t n = blob_get_u64 (in);

  if (!in->bad && n > (uint64_t) (in->end - in->p) / (min ? min : 1))
    in->bad = true;
  return in->bad ? 0 : (size_t) n;
}

char *
blob_get_str (struct blob_in *in)
{
  uint32_t n;
  char *s;

  if (in->bad || in->end - in->p < 4)
    {
      in->bad = true;
      return NULL;
    }
  memcpy (&n, in->p, 4);
  in->p += 4;
  if (n == NO_STRING)
    return NULL;
  if ((size_t) (in->end - in->p) < n || memchr (in->p, '\0', n) != NULL || (s = malloc ((size_t) n + 1)) == NULL)
    {
      in->bad = true;
      return NULL;
    }
  memcpy (s, in->p, n);
  s[n] = '\0';
  in->p += n;
  return s;
}

/* A string that must be there (a list's or a map's member). */
static char *
get_some_str (struct blob_in *in)
{
  char *s = blob_get_str (in);

  if (s == NULL)
    in->bad = true;
  return s;
}

static void
put_strv (FILE *f, const struct spec_strv *v)
{
  blob_put_u64 (f, v->n);
  for (size_t i = 0; i < v->n; i++)
    blob_put_str (f, v->v[i]);
}

static void
get_strv (struct blob_in *in, struct spec_strv *v)
{
  size_t n = blob_get_count (in, 4);

  v->v = n > 0 ? calloc (n + 1, sizeof *v->v) : NULL;
  if (n > 0 && v->v == NULL)
    in->bad = true;
  for (v->n = 0; !in->bad && v->n < n; v->n++)
    if ((v->v[v->n] = get_some_str (in)) == NULL)
      break;
}

static void
put_map (FILE *f, const struct spec_map *m)
{
  blob_put_u64 (f, m->n);
  for (size_t i = 0; i < m->n; i++)
    {
      blob_put_str (f, m->keys[i]);
      blob_put_str (f, m->values[i]);
    }
}

static void
get_map (struct blob_in *in, struct spec_map *m)
{
  size_t n = blob_get_count (in, 8);

  m->keys = n > 0 ? calloc (n, sizeof *m->keys) : NULL;
  m->values = n > 0 ? calloc (n, sizeof *m->values) : NULL;
  if (n > 0 && (m->keys == NULL || m->values == NULL))
    in->bad = true;
  for (m->n = 0; !in->bad && m->n < n; m->n++)
    {
      m->keys[m->n] = get_some_str (in);
      m->values[m->n] = get_some_str (in);
      if (in->bad)
        {
          m->n++; /* what was read is freed with the rest */
          break;
        }
    }
}

void
spec_fields_put (FILE *f, const struct spec_field *t, size_t n, const void *base)
{
  for (size_t i = 0; i < n; i++)
    {
      const char *p = (const char *) base + t[i].off;
      if (t[i].has_off != SPEC_NO_HAS)
        blob_put_u64 (f, *(const bool *) ((const char *) base + t[i].has_off));
      switch (t[i].kind)
        {
        case SK_STR: blob_put_str (f, *(char *const *) p); break;
        case SK_BOOL: blob_put_u64 (f, *(const bool *) p); break;
        case SK_U16: blob_put_u64 (f, *(const uint16_t *) p); break;
        case SK_U32: blob_put_u64 (f, *(const uint32_t *) p); break;
        case SK_I32: blob_put_u64 (f, (uint64_t) *(const int32_t *) p); break;
        case SK_U64: blob_put_u64 (f, *(const uint64_t *) p); break;
        case SK_I64: blob_put_u64 (f, (uint64_t) *(const int64_t *) p); break;
        case SK_STRV: put_strv (f, (const struct spec_strv *) p); break;
        case SK_MAP: put_map (f, (const struct spec_map *) p); break;
        }
    }
}

/* Into a zeroed base; what was decoded stays owned by base on failure
   too (free it with spec_free_fields). */
int
spec_fields_get (struct blob_in *in, const struct spec_field *t, size_t n, void *base)
{
  for (size_t i = 0; i < n && !in->bad; i++)
    {
      char *p = (char *) base + t[i].off;
      if (t[i].has_off != SPEC_NO_HAS)
        *(bool *) ((char *) base + t[i].has_off) = blob_get_u64 (in) != 0;
      switch (t[i].kind)
        {
        case SK_STR: *(char **) p = blob_get_str (in); break;
        case SK_BOOL: *(bool *) p = blob_get_u64 (in) != 0; break;
        case SK_U16: *(uint16_t *) p = (uint16_t) blob_get_u64 (in); break;
        case SK_U32: *(uint32_t *) p = (uint32_t) blob_get_u64 (in); break;
        case SK_I32: *(int32_t *) p = (int32_t) blob_get_u64 (in); break;
        case SK_U64: *(uint64_t *) p = blob_get_u64 (in); break;
        case SK_I64: *(int64_t *) p = (int64_t) blob_get_u64 (in); break;
        case SK_STRV: get_strv (in, (struct spec_strv *) p); break;
        case SK_MAP: get_map (in, (struct spec_map *) p); break;
        }
    }
  return in->bad ? -1 : 0;
}
