/* json.c: a tiny JSON writer (no dependency) and a flat reader built on
 * yajl's tree parser, for the documents sbx itself writes and reads. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "cleanup.h"
#include "error.h"
#include "json.h"

static void
put (struct json_buf *b, const char *s, size_t n)
{
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 256;
      char *ns;
      while (cap < b->len + n + 1)
        cap *= 2;
      ns = realloc (b->s, cap);
      if (ns == NULL)
        {
          b->failed = true;
          return;
        }
      b->s = ns;
      b->cap = cap;
    }
  memcpy (b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static void
comma (struct json_buf *b)
{
  if (b->need_comma)
    put (b, ",", 1);
  b->need_comma = true;
}

void
json_open (struct json_buf *b, char c)
{
  comma (b);
  put (b, &c, 1);
  b->need_comma = false;
}

void
json_close (struct json_buf *b, char c)
{
  put (b, &c, 1);
  b->need_comma = true;
}

static void
put_string (struct json_buf *b, const char *v)
{
  put (b, "\"", 1);
  for (; *v; v++)
    {
      unsigned char c = (unsigned char) *v;
      char esc[8];
      if (c == '"' || c == '\\')
        {
          esc[0] = '\\';
          esc[1] = c;
          put (b, esc, 2);
        }
      else if (c < 0x20)
        {
          snprintf (esc, sizeof esc, "\\u%04x", c);
          put (b, esc, 6);
        }
      else
        put (b, (const char *) &c, 1);
    }
  put (b, "\"", 1);
}

void
json_key (struct json_buf *b, const char *key)
{
  comma (b);
  put_string (b, key);
  put (b, ":", 1);
  b->need_comma = false;
}

void
json_str (struct json_buf *b, const char *value)
{
  comma (b);
  if (value == NULL)
    put (b, "null", 4);
  else
    put_string (b, value);
}

void
json_int (struct json_buf *b, long long v)
{
  char tmp[32];
  int n = snprintf (tmp, sizeof tmp, "%lld", v);
  comma (b);
  put (b, tmp, n);
}

void
json_bool (struct json_buf *b, bool v)
{
  comma (b);
  put (b, v ? "true" : "false", v ? 4 : 5);
}

void
json_raw (struct json_buf *b, const char *text)
{
  comma (b);
  put (b, text, strlen (text));
}

void
json_kv_str (struct json_buf *b, const char *key, const char *value)
{
  json_key (b, key);
  json_str (b, value);
}

void
json_kv_int (struct json_buf *b, const char *key, long long v)
{
  json_key (b, key);
  json_int (b, v);
}

void
json_buf_free (struct json_buf *b)
{
  free (b->s);
  memset (b, 0, sizeof *b);
}

static int
map_add (struct spec_map *m, const char *k, const char *v)
{
  char **nk = realloc (m->keys, (m->n + 1) * sizeof *nk);
  char **nv;
  if (nk == NULL)
    return -1;
  m->keys = nk;
  nv = realloc (m->values, (m->n + 1) * sizeof *nv);
  if (nv == NULL)
    return -1;
  m->values = nv;
  m->keys[m->n] = strdup (k);
  m->values[m->n] = strdup (v);
  if (m->keys[m->n] == NULL || m->values[m->n] == NULL)
    {
      free (m->keys[m->n]);
      free (m->values[m->n]);
      return -1;
    }
  m->n++;
  return 0;
}

static int
add_scalar (struct spec_map *m, const char *key, yajl_val v)
{
  if (YAJL_IS_STRING (v))
    return map_add (m, key, YAJL_GET_STRING (v));
  if (YAJL_IS_NUMBER (v))
    return map_add (m, key, YAJL_GET_NUMBER (v));
  if (YAJL_IS_TRUE (v))
    return map_add (m, key, "true");
  if (YAJL_IS_FALSE (v))
    return map_add (m, key, "false");
  return 0;
}

int
json_parse_flat (const char *buf, size_t len, struct spec_map *out, sbx_error_t *err)
{
  char errbuf[256] = "";
  _cleanup_free_ char *copy = strndup (buf, len);
  yajl_val root;

  (void) copy;
  if (copy == NULL)
    return sbx_error_errno (err, "strndup");
  root = yajl_tree_parse (copy, errbuf, sizeof errbuf);
  if (root == NULL || !YAJL_IS_OBJECT (root))
    {
      for (char *p = errbuf; *p; p++)
        if (*p == '\n')
          *p = ' ';
      if (root != NULL)
        yajl_tree_free (root);
      return sbx_error_set (err, EINVAL, "invalid JSON: %s", errbuf[0] ? errbuf : "not an object");
    }
  memset (out, 0, sizeof *out);
  for (size_t i = 0; i < root->u.object.len; i++)
    {
      const char *k = root->u.object.keys[i];
      yajl_val v = root->u.object.values[i];
      int r = 0;
      if (YAJL_IS_OBJECT (v))
        for (size_t j = 0; j < v->u.object.len && r == 0; j++)
          {
            char *nk;
            if (asprintf (&nk, "%s.%s", k, v->u.object.keys[j]) < 0)
              {
                r = -1;
                break;
              }
            r = add_scalar (out, nk, v->u.object.values[j]);
            free (nk);
          }
      else
        r = add_scalar (out, k, v);
      if (r < 0)
        {
          yajl_tree_free (root);
          json_map_free (out);
          return sbx_error_errno (err, "out of memory");
        }
    }
  yajl_tree_free (root);
  return 0;
}

const char *
json_map_get (const struct spec_map *m, const char *key)
{
  for (size_t i = 0; i < m->n; i++)
    if (strcmp (m->keys[i], key) == 0)
      return m->values[i];
  return NULL;
}

void
json_map_free (struct spec_map *m)
{
  for (size_t i = 0; i < m->n; i++)
    {
      free (m->keys[i]);
      free (m->values[i]);
    }
  free (m->keys);
  free (m->values);
  memset (m, 0, sizeof *m);
}
