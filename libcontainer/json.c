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

void
json_buf_append (struct json_buf *b, const void *s, size_t n)
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
    json_buf_append (b, ",", 1);
  b->need_comma = true;
}

void
json_open (struct json_buf *b, char c)
{
  comma (b);
  json_buf_append (b, &c, 1);
  b->need_comma = false;
}

void
json_close (struct json_buf *b, char c)
{
  json_buf_append (b, &c, 1);
  b->need_comma = true;
}

/* Length of the valid UTF-8 sequence at p, 0 if invalid (overlong forms,
   surrogates and code points past U+10FFFF included). */
static size_t
utf8_len (const unsigned char *p)
{
  size_t n;
  unsigned cp;

  if (p[0] < 0x80)
    return 1;
  if (p[0] >= 0xc2 && p[0] <= 0xdf)
    n = 2, cp = p[0] & 0x1f;
  else if ((p[0] & 0xf0) == 0xe0)
    n = 3, cp = p[0] & 0x0f;
  else if (p[0] >= 0xf0 && p[0] <= 0xf4)
    n = 4, cp = p[0] & 0x07;
  else
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((p[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return n;
}

bool
json_is_utf8 (const char *s)
{
  for (const unsigned char *p = (const unsigned char *) s; *p;)
    {
      size_t n = utf8_len (p);
      if (n == 0)
        return false;
      p += n;
    }
  return true;
}

/* A string the reader would refuse (not UTF-8: a bundle path can be any
   bytes) fails the whole document, so sbx never writes a state.json that
   no command can read back. */
static void
put_string (struct json_buf *b, const char *v)
{
  if (!json_is_utf8 (v))
    {
      b->failed = true;
      return;
    }
  json_buf_append (b, "\"", 1);
  for (; *v; v++)
    {
      unsigned char c = (unsigned char) *v;
      char esc[8];
      if (c == '"' || c == '\\')
        {
          esc[0] = '\\';
          esc[1] = c;
          json_buf_append (b, esc, 2);
        }
      else if (c < 0x20)
        {
          snprintf (esc, sizeof esc, "\\u%04x", c);
          json_buf_append (b, esc, 6);
        }
      else
        json_buf_append (b, (const char *) &c, 1);
    }
  json_buf_append (b, "\"", 1);
}

void
json_key (struct json_buf *b, const char *key)
{
  comma (b);
  put_string (b, key);
  json_buf_append (b, ":", 1);
  b->need_comma = false;
}

void
json_str (struct json_buf *b, const char *value)
{
  comma (b);
  if (value == NULL)
    json_buf_append (b, "null", 4);
  else
    put_string (b, value);
}

void
json_int (struct json_buf *b, long long v)
{
  char tmp[32];
  int n = snprintf (tmp, sizeof tmp, "%lld", v);
  comma (b);
  json_buf_append (b, tmp, n);
}

void
json_bool (struct json_buf *b, bool v)
{
  comma (b);
  json_buf_append (b, v ? "true" : "false", v ? 4 : 5);
}

void
json_raw (struct json_buf *b, const char *text)
{
  comma (b);
  json_buf_append (b, text, strlen (text));
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
add_scalar (struct spec_map *m, const char *key, yajl_val v)
{
  if (YAJL_IS_STRING (v))
    return spec_map_push (m, key, strlen (key), YAJL_GET_STRING (v));
  if (YAJL_IS_NUMBER (v))
    return spec_map_push (m, key, strlen (key), YAJL_GET_NUMBER (v));
  if (YAJL_IS_TRUE (v))
    return spec_map_push (m, key, strlen (key), "true");
  if (YAJL_IS_FALSE (v))
    return spec_map_push (m, key, strlen (key), "false");
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
