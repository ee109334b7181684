/* spec-cache.c: config.json parsed with its linux.seccomp taken from a
 * cache. The seccomp profile an engine sends is most of its config.json
 * (podman's default: 23 of 26 KB), and parsing it was most of reading
 * the config: about 330 of 390 us, on every create and every exec.
 *
 * The profile's bytes are found in the text by a scan that knows JSON
 * strings and nesting: the last "seccomp" member of the last "linux"
 * member of the document, as spec_get picks them. They are looked up in
 * RUN_CACHE_SECCOMP under a key of their own. On a hit the rest of the
 * document is parsed with null for that value, and the cached profile
 * goes in its place. On a miss, or
 * anything unusual (a member name with an escape, a parse that still
 * finds a profile, any error), the whole document is parsed as before;
 * the profile is kept for next time only if the bytes, parsed alone,
 * give the same profile. Either way the struct is the one the whole
 * document gives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "run-cache.h"
#include "spec-internal.h"

#define KEY_HEAD "config linux.seccomp 1\n"

static size_t
skip_ws (const char *b, size_t i, size_t n)
{
  while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
    i++;
  return i;
}

/* b[*i] is '"': past the closing quote; *escaped if it held a '\'. */
static bool
skip_string (const char *b, size_t *i, size_t n, bool *escaped)
{
  for (size_t k = *i + 1; k < n; k++)
    if (b[k] == '\\')
      {
        *escaped = true;
        k++;
      }
    else if (b[k] == '"')
      {
        *i = k + 1;
        return true;
      }
  return false;
}

/* Past one value at *i (whitespace before it skipped). An object or an
   array is skipped by a table of the bytes that matter, most being
   none of them. */
static bool
skip_value (const char *b, size_t *i, size_t n)
{
  static unsigned char what[256];
  size_t k = skip_ws (b, *i, n), depth = 0;
  bool esc = false;

  if (what['"'] == 0)
    {
      what['"'] = 1;
      what['{'] = what['['] = 2;
      what['}'] = what[']'] = 3;
    }
  if (k >= n)
    return false;
  if (b[k] == '"')
    {
      *i = k;
      return skip_string (b, i, n, &esc);
    }
  if (b[k] != '{' && b[k] != '[')
    {
      while (k < n && b[k] != ',' && b[k] != '}' && b[k] != ']' && b[k] != ' ' && b[k] != '\n' && b[k] != '\t'
             && b[k] != '\r')
        k++;
      *i = k;
      return true;
    }
  for (; k < n; k++)
    switch (what[(unsigned char) b[k]])
      {
      case 1: /* a string: to its closing quote */
        for (k++; k < n && b[k] != '"'; k++)
          if (b[k] == '\\')
            k++;
        if (k >= n)
          return false;
        break;
      case 2:
        depth++;
        break;
      case 3:
        if (--depth == 0)
          {
            *i = k + 1;
            return true;
          }
        break;
      default:
        break;
      }
  return false;
}

/* The value of the last member named KEY of the object at b[obj]
   ('{'): [*vs, *ve); *end is past the object. With INNER, a member
   named KEY that is an object is scanned on with INNER as its key
   instead of skipped, and [*vs, *ve) is the inner member's value (the
   bytes are walked once). False if there is none, a member name holds
   an escape (it could spell KEY), or the object does not scan. */
static bool
last_member (const char *b, size_t n, size_t obj, const char *key, const char *inner, size_t *vs, size_t *ve,
             size_t *end)
{
  size_t i = skip_ws (b, obj + 1, n), klen = strlen (key);
  bool found = false;

  *end = 0;
  while (i < n && b[i] == '"')
    {
      size_t name = i + 1, v, is, ie;
      bool esc = false, match, got;
      if (!skip_string (b, &i, n, &esc) || esc)
        return false;
      match = i - name - 1 == klen && memcmp (b + name, key, klen) == 0;
      i = skip_ws (b, i, n);
      if (i >= n || b[i] != ':')
        return false;
      v = i = skip_ws (b, i + 1, n);
      if (match && inner != NULL && i < n && b[i] == '{')
        {
          got = last_member (b, n, v, inner, NULL, &is, &ie, &i);
          if (i == 0)
            return false; /* did not scan */
          /* the last KEY decides: a later one without INNER drops it */
          found = got;
          *vs = is;
          *ve = ie;
        }
      else
        {
          if (!skip_value (b, &i, n))
            return false;
          if (match)
            {
              found = inner == NULL;
              *vs = v;
              *ve = i;
            }
        }
      i = skip_ws (b, i, n);
      if (i < n && b[i] == '}')
        {
          *end = i + 1;
          return found;
        }
      if (i >= n || b[i] != ',')
        break;
      i = skip_ws (b, i + 1, n);
    }
  if (i < n && b[i] == '}' && i == skip_ws (b, obj + 1, n))
    *end = i + 1; /* {} */
  return false;
}

/* The bytes of linux.seccomp, an object. */
static bool
profile_range (const char *b, size_t n, size_t *s, size_t *e)
{
  size_t top = skip_ws (b, 0, n), end;

  return top < n && b[top] == '{' && last_member (b, n, top, "linux", "seccomp", s, e, &end) && b[*s] == '{';
}

static void
put_profile (FILE *f, const void *s)
{
  spec_seccomp_put (f, s);
}

static char *
encode (const struct spec_seccomp *s, size_t *len)
{
  return blob_encode (put_profile, s, len);
}

static struct spec_seccomp *
decode (const char *buf, size_t len)
{
  struct blob_in in = { buf, buf + len, false };
  struct spec_seccomp *s = NULL;

  if (spec_seccomp_get (&in, &s) < 0 || in.bad || in.p != in.end || s == NULL)
    {
      spec_seccomp_free (s);
      return NULL;
    }
  return s;
}

/* The profile from BYTES alone, encoded; NULL if they do not parse. */
static char *
parse_alone (const char *bytes, size_t n, size_t *len)
{
  static const char head[] = "{\"seccomp\":";
  _cleanup_free_ char *doc = malloc (sizeof head + n + 1);
  sbx_error_t e = { 0 };
  yajl_val root;
  struct spec_seccomp *s = NULL;
  char *out = NULL;

  if (doc == NULL)
    return NULL;
  memcpy (doc, head, sizeof head - 1);
  memcpy (doc + sizeof head - 1, bytes, n);
  doc[sizeof head - 1 + n] = '}';
  root = spec_parse_document (doc, sizeof head + n, &e);
  if (root != NULL && spec_parse_seccomp (root, "linux", &s, &e) == 0 && s != NULL)
    out = encode (s, len);
  spec_seccomp_free (s);
  if (root != NULL)
    yajl_tree_free (root);
  sbx_error_free (&e);
  return out;
}

/* The document with [s, e) cut out for null, parsed; NULL on any error
   (the caller then parses the whole, for the error it gives). */
static struct sbx_spec *
parse_without (const char *buf, size_t len, size_t s, size_t e)
{
  size_t n = s + 4 + (len - e);
  _cleanup_free_ char *copy = malloc (n);
  sbx_error_t err = { 0 };
  struct sbx_spec *spec;

  if (copy == NULL)
    return NULL;
  memcpy (copy, buf, s);
  memcpy (copy + s, "null", 4);
  memcpy (copy + s + 4, buf + e, len - e);
  spec = spec_parse (copy, n, &err);
  sbx_error_free (&err);
  return spec;
}

struct sbx_spec *
spec_parse_cached (const char *buf, size_t len, sbx_error_t *err)
{
  const char *hdr = run_cache_header ();
  _cleanup_free_ char *key = NULL, *payload = NULL, *mine = NULL, *alone = NULL;
  size_t s, e, klen, hlen, plen = 0, mlen = 0, alen = 0;
  struct spec_seccomp *sc;
  struct sbx_spec *spec;
  int dirfd;

  if (buf == NULL || hdr == NULL || !profile_range (buf, len, &s, &e)
      || (dirfd = run_cache_dir (RUN_CACHE_SECCOMP)) < 0)
    return spec_parse (buf, len, err);
  hlen = strlen (KEY_HEAD) + strlen (hdr);
  if ((key = malloc (hlen + e - s + 1)) == NULL)
    return spec_parse (buf, len, err);
  klen = (size_t) sprintf (key, "%s%s", KEY_HEAD, hdr);
  memcpy (key + klen, buf + s, e - s);
  klen += e - s;
  if (run_cache_get (dirfd, key, klen, &payload, &plen) && (sc = decode (payload, plen)) != NULL)
    {
      spec = parse_without (buf, len, s, e);
      if (spec != NULL && spec->linux_ != NULL && spec->linux_->seccomp == NULL)
        {
          spec->linux_->seccomp = sc;
          return spec;
        }
      spec_free (spec);
      spec_seccomp_free (sc);
    }
  spec = spec_parse (buf, len, err);
  if (spec != NULL && spec->linux_ != NULL && spec->linux_->seccomp != NULL
      && (mine = encode (spec->linux_->seccomp, &mlen)) != NULL && (alone = parse_alone (buf + s, e - s, &alen)) != NULL
      && alen == mlen && memcmp (mine, alone, mlen) == 0)
    run_cache_put (dirfd, key, klen, mine, mlen);
  return spec;
}
