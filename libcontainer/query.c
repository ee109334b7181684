/* query.c: the commands that read containers and change nothing: `state`
 * and `list`. A container whose state.json cannot be read is still listed
 * (as `unknown`) so that it can be found and removed (issue #13). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "container-open.h"
#include "error.h"
#include "fsutil.h"
#include "passwd.h"
#include "recover.h"
#include "state.h"

/* The owner's name from the host's /etc/passwd (runc prints it in `state`). */
static char *
owner_name (uid_t uid)
{
  _cleanup_free_ char *text = NULL;
  char buf[32], *name = NULL;

  if (read_file_at (AT_FDCWD, "/etc/passwd", &text, NULL, 4 << 20, NULL) == 0)
    name = passwd_field (text, uid, PASSWD_NAME);
  if (name != NULL)
    return name;
  snprintf (buf, sizeof buf, "%u", uid);
  return strdup (buf);
}

int
sbx_container_state (struct sbx_context *ctx, const char *id, FILE *out, sbx_error_t *err)
{
  struct container c;
  char *json = NULL;
  struct stat sb;

  if (container_open (ctx, id, CMD_STATE, &c, err) < 0)
    {
      container_close (&c);
      return -1;
    }
  if (c.status == STATUS_STOPPED)
    c.st.pid = 0;
  if (fstat (c.dirfd, &sb) == 0)
    {
      free (c.st.owner);
      c.st.owner = owner_name (sb.st_uid);
    }
  json = state_to_json (&c.st, c.status);
  container_close (&c);
  if (json == NULL)
    return sbx_error_set (err, ENOMEM, "format state");
  fprintf (out, "%s\n", json);
  free (json);
  return 0;
}

/* A container whose state.json is unreadable, or missing while something
   of it is alive, is listed as `unknown` so that it is seen and deleted
   (`delete --force` works from what survives); a directory a killed
   create left with nothing alive is not a container. */
static int
list_unknown (int dirfd, const char *id, struct container_state *st)
{
  struct owned o = { 0 };
  bool corrupt = faccessat (dirfd, STATE_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
  bool known = owned_read (dirfd, &o, NULL) == 0;
  bool alive = known && owned_alive (&o);

  memset (st, 0, sizeof *st);
  if (!corrupt && !alive)
    {
      owned_free (&o);
      return -1;
    }
  if (alive && state_pid_alive (o.pid, o.start_time))
    st->pid = o.pid;
  owned_free (&o);
  st->id = strdup (id);
  return st->id ? 0 : -1;
}

int
sbx_container_list (struct sbx_context *ctx, enum sbx_list_format format, bool quiet,
                    FILE *out, sbx_error_t *err)
{
  _cleanup_fd_ int rootfd = state_root_open (ctx->root, false, NULL);
  struct dirent **ents = NULL;
  _cleanup_free_ char *owner = NULL;
  uid_t owner_uid = 0;
  int n;
  bool first = true;

  if (format == SBX_LIST_JSON && !quiet)
    fputs ("[", out);
  else if (!quiet)
    fprintf (out, "%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  if (rootfd < 0)
    goto done;
  /* Sorted by id, as runc lists them. */
  n = scandir (ctx->root, &ents, NULL, alphasort);
  if (n < 0)
    return sbx_error_errno (err, "read state root `%s`", ctx->root);
  for (int k = 0; k < n; k++)
    {
      struct dirent *de = ents[k];
      _cleanup_fd_ int dirfd = -1;
      struct container_state st;
      enum container_status s;
      struct stat sb;

      if (de->d_name[0] == '.' || state_check_id (de->d_name, NULL) < 0)
        continue;
      dirfd = openat (rootfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (dirfd < 0)
        continue;
      if (state_read (dirfd, de->d_name, &st, NULL) == 0)
        s = state_status (dirfd, &st);
      else if (list_unknown (dirfd, de->d_name, &st) == 0)
        s = STATUS_UNKNOWN;
      else
        continue;
      if (quiet)
        {
          fprintf (out, "%s\n", st.id);
          state_free (&st);
          continue;
        }
      if (s == STATUS_STOPPED)
        st.pid = 0;
      if (fstat (dirfd, &sb) == 0)
        {
          /* one /etc/passwd read for the whole list, not one per container */
          if (owner == NULL || sb.st_uid != owner_uid)
            {
              free (owner);
              owner = owner_name (sb.st_uid);
              owner_uid = sb.st_uid;
            }
          free (st.owner);
          st.owner = owner ? strdup (owner) : NULL;
        }
      if (format == SBX_LIST_JSON)
        {
          char *json = state_to_json (&st, s);
          if (json)
            fprintf (out, "%s%s", first ? "" : ",", json);
          free (json);
        }
      else
        fprintf (out, "%-20s %-8d %-10s %-40s %-31s %s\n", st.id, st.pid, state_status_name (s),
                 st.bundle ? st.bundle : "", st.created ? st.created : "", st.owner ? st.owner : "");
      first = false;
      state_free (&st);
    }
  for (int k = 0; k < n; k++)
    free (ents[k]);
  free (ents);
done:
  if (format == SBX_LIST_JSON && !quiet)
    fputs ("]\n", out);
  return 0;
}
