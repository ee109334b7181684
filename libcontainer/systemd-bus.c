/* systemd-bus.c: the D-Bus side of --systemd-cgroup (see systemd-bus.h).
 *
 * The connection: as root, systemd's private socket /run/systemd/private
 * (no broker needed, as systemctl does); else, or when that fails, the
 * system bus. A non-root caller talks to its own user manager the same way:
 * $XDG_RUNTIME_DIR/systemd/private, else the session bus.
 * Job completion arrives as the Manager's JobRemoved signal, which systemd
 * only sends to subscribed clients: subscribe, install the match, then
 * call, so the signal cannot be missed. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "error.h"
#include "systemd-bus.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define JOB_TIMEOUT_USEC (30ULL * 1000 * 1000)

static const struct
{
  const char *name;
  const char *type;
} prop_types[] = {
  { "Description", "s" },      { "Slice", "s" },
  { "CollectMode", "s" },      { "Delegate", "b" },
  { "DefaultDependencies", "b" }, { "MemoryAccounting", "b" },
  { "CPUAccounting", "b" },    { "IOAccounting", "b" },
  { "TasksAccounting", "b" },  { "MemoryMax", "t" },
  { "MemoryHigh", "t" },       { "MemoryLow", "t" },
  { "MemoryMin", "t" },        { "MemorySwapMax", "t" },
  { "TasksMax", "t" },         { "CPUWeight", "t" },
  { "IOWeight", "t" },         { "CPUQuotaPerSecUSec", "t" },
  { "CPUQuotaPeriodUSec", "t" }, { "AllowedCPUs", "ay" },
  { "AllowedMemoryNodes", "ay" },
};

static int
bus_fail (sbx_error_t *err, int r, const sd_bus_error *e, const char *what, const char *unit)
{
  if (e != NULL && sd_bus_error_is_set (e))
    return sbx_error_set (err, -r > 0 ? -r : EIO, "systemd: %s %s: %s", what, unit,
                          e->message ? e->message : e->name);
  return sbx_error_sys (err, -r, "systemd: %s %s", what, unit);
}

static int
bus_open (sd_bus **out, sbx_error_t *err)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  const uid_t uid = geteuid ();
  char addr[PATH_MAX + 32];
  sd_bus *bus = NULL;
  int r;

  /* the manager's own socket first; then the user's session bus, or the
     system bus */
  if (uid == 0)
    snprintf (addr, sizeof addr, "unix:path=/run/systemd/private");
  else if (xdg != NULL && xdg[0] == '/')
    snprintf (addr, sizeof addr, "unix:path=%s/systemd/private", xdg);
  else
    snprintf (addr, sizeof addr, "unix:path=/run/user/%u/systemd/private", (unsigned) uid);
  if (sd_bus_new (&bus) >= 0)
    {
      if (sd_bus_set_address (bus, addr) >= 0 && sd_bus_start (bus) >= 0)
        {
          *out = bus;
          return 0;
        }
      sd_bus_unref (bus);
    }
  if (uid != 0)
    {
      r = sd_bus_open_user (out);
      return r < 0 ? sbx_error_sys (err, -r, "systemd: connect to %s or the user bus (is systemd's user "
                                    "manager running for uid %u?)", addr + 10, (unsigned) uid)
                   : 0;
    }
  r = sd_bus_open_system (out);
  if (r < 0)
    return sbx_error_sys (err, -r, "systemd: connect to /run/systemd/private or the system bus");
  return 0;
}

/* "0-3,8" -> a little-endian bit mask, as systemd's AllowedCPUs takes it. */
static int
cpu_list_mask (const char *s, uint8_t *mask, size_t *len)
{
  size_t n = 0;

  memset (mask, 0, 1024);
  while (*s)
    {
      char *end;
      unsigned long a = strtoul (s, &end, 10), b = a;
      if (end == s)
        return -1;
      if (*end == '-')
        {
          s = end + 1;
          b = strtoul (s, &end, 10);
          if (end == s)
            return -1;
        }
      if (a > b || b >= 1024 * 8)
        return -1;
      for (unsigned long i = a; i <= b; i++)
        mask[i / 8] |= (uint8_t) (1U << (i % 8));
      if (b / 8 + 1 > n)
        n = b / 8 + 1;
      s = end;
      if (*s == ',')
        s++;
      else if (*s && *s != '\n')
        return -1;
      else
        break;
    }
  *len = n;
  return 0;
}

static int
append_value (sd_bus_message *m, const char *type, const char *v)
{
  if (strcmp (type, "s") == 0)
    return sd_bus_message_append (m, "s", v);
  if (strcmp (type, "b") == 0)
    {
      bool yes = strcmp (v, "yes") == 0 || strcmp (v, "true") == 0 || strcmp (v, "1") == 0;
      bool no = strcmp (v, "no") == 0 || strcmp (v, "false") == 0 || strcmp (v, "0") == 0;
      return yes || no ? sd_bus_message_append (m, "b", (int) yes) : -EINVAL;
    }
  if (strcmp (type, "t") == 0)
    {
      char *end;
      uint64_t x;
      if (strcmp (v, "infinity") == 0)
        return sd_bus_message_append (m, "t", UINT64_MAX);
      errno = 0;
      x = strtoull (v, &end, 10);
      if (errno || end == v || *end || v[0] == '-')
        return -EINVAL;
      return sd_bus_message_append (m, "t", x);
    }
  {
    uint8_t mask[1024];
    size_t len;
    if (cpu_list_mask (v, mask, &len) < 0)
      return -EINVAL;
    return sd_bus_message_append_array (m, 'y', mask, len);
  }
}

static int
append_props (sd_bus_message *m, const struct sdbus_props *p, pid_t pid, sbx_error_t *err)
{
  int r = sd_bus_message_open_container (m, 'a', "(sv)");

  for (size_t i = 0; r >= 0 && i < p->n; i++)
    {
      const char *eq = strchr (p->v[i], '='), *type = NULL;
      char name[64];

      if (eq == NULL || (size_t) (eq - p->v[i]) >= sizeof name)
        return sbx_error_set (err, EINVAL, "systemd property `%s`: expected Name=value", p->v[i]);
      snprintf (name, sizeof name, "%.*s", (int) (eq - p->v[i]), p->v[i]);
      for (size_t j = 0; j < sizeof prop_types / sizeof prop_types[0]; j++)
        if (strcmp (prop_types[j].name, name) == 0)
          type = prop_types[j].type;
      if (type == NULL)
        return sbx_error_set (err, EINVAL, "systemd property `%s`: not one sbx knows", name);
      r = sd_bus_message_open_container (m, 'r', "sv");
      if (r >= 0)
        r = sd_bus_message_append (m, "s", name);
      if (r >= 0)
        r = sd_bus_message_open_container (m, 'v', type);
      if (r >= 0 && (r = append_value (m, type, eq + 1)) == -EINVAL)
        return sbx_error_set (err, EINVAL, "systemd property %s: invalid value `%s`", name, eq + 1);
      if (r >= 0)
        r = sd_bus_message_close_container (m);
      if (r >= 0)
        r = sd_bus_message_close_container (m);
    }
  if (r >= 0 && pid > 0)
    r = sd_bus_message_append (m, "(sv)", "PIDs", "au", 1, (uint32_t) pid);
  if (r >= 0)
    r = sd_bus_message_close_container (m);
  return r < 0 ? sbx_error_sys (err, -r, "systemd: build message") : 0;
}

struct job_wait
{
  const char *job;
  char *result;
};

static int
on_job_removed (sd_bus_message *m, void *userdata, sd_bus_error *e)
{
  struct job_wait *w = userdata;
  const char *path, *unit, *result;
  uint32_t id;

  (void) e;
  if (sd_bus_message_read (m, "uoss", &id, &path, &unit, &result) < 0)
    return 0;
  if (w->job != NULL && strcmp (path, w->job) == 0 && w->result == NULL)
    w->result = strdup (result);
  return 0;
}

static uint64_t
now_usec (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* The deadline is looked at before every message: systemd sends each
   subscriber every job's and unit's signals, and on a busy host they may
   never stop coming. */
int
sdbus_process_until (sd_bus *bus, char *const *done, uint64_t deadline)
{
  while (*done == NULL)
    {
      uint64_t t = now_usec ();
      int r;

      if (t >= deadline)
        return -ETIMEDOUT;
      r = sd_bus_process (bus, NULL);
      if (r == 0)
        r = sd_bus_wait (bus, deadline - t);
      if (r < 0)
        return r;
    }
  return 0;
}

/* Call a Manager method that returns a job and wait for that job.
   `no_unit_ok`: NoSuchUnit means there is nothing to do. */
static int
job_call (const char *method, const char *unit, const struct sdbus_props *p, pid_t pid,
          bool no_unit_ok, sbx_error_t *err)
{
  sd_bus *bus = NULL;
  sd_bus_slot *slot = NULL;
  sd_bus_message *m = NULL, *reply = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  struct job_wait w = { 0 };
  int r, ret = -1;

  if (bus_open (&bus, err) < 0)
    return -1;
  r = sd_bus_match_signal (bus, &slot, NULL, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, &w);
  if (r >= 0)
    r = sd_bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", &e, NULL, NULL);
  if (r < 0)
    {
      bus_fail (err, r, &e, "subscribe for", unit);
      goto out;
    }
  r = sd_bus_message_new_method_call (bus, &m, SD_DEST, SD_PATH, SD_MANAGER, method);
  if (r >= 0)
    r = sd_bus_message_append (m, "ss", unit, "replace");
  if (r < 0)
    {
      sbx_error_sys (err, -r, "systemd: build message");
      goto out;
    }
  if (p != NULL)
    {
      if (append_props (m, p, pid, err) < 0)
        goto out;
      r = sd_bus_message_append (m, "a(sa(sv))", 0);
      if (r < 0)
        {
          sbx_error_sys (err, -r, "systemd: build message");
          goto out;
        }
    }
  r = sd_bus_call (bus, m, 0, &e, &reply);
  if (r < 0)
    {
      if (no_unit_ok && (sd_bus_error_has_name (&e, "org.freedesktop.systemd1.NoSuchUnit")
                         || sd_bus_error_has_name (&e, "org.freedesktop.DBus.Error.UnknownObject")))
        ret = 0;
      else
        bus_fail (err, r, &e, method, unit);
      goto out;
    }
  r = sd_bus_message_read (reply, "o", &w.job);
  if (r < 0)
    {
      sbx_error_sys (err, -r, "systemd: %s %s: read the job", method, unit);
      goto out;
    }
  r = sdbus_process_until (bus, &w.result, now_usec () + JOB_TIMEOUT_USEC);
  if (r == -ETIMEDOUT)
    {
      sbx_error_set (err, ETIMEDOUT, "systemd: %s %s: job %s did not finish in 30 s", method, unit, w.job);
      goto out;
    }
  if (r < 0)
    {
      sbx_error_sys (err, -r, "systemd: %s %s: wait for job %s", method, unit, w.job);
      goto out;
    }
  if (strcmp (w.result, "done") != 0)
    sbx_error_set (err, EIO, "systemd: %s %s: the job ended `%s` (see `journalctl -u %s`)",
                   method, unit, w.result, unit);
  else
    ret = 0;
out:
  free (w.result);
  sd_bus_error_free (&e);
  sd_bus_message_unref (reply);
  sd_bus_message_unref (m);
  sd_bus_slot_unref (slot);
  sd_bus_flush_close_unref (bus);
  return ret;
}

int
sdbus_start_unit (const char *unit, pid_t pid, const struct sdbus_props *p, sbx_error_t *err)
{
  return job_call ("StartTransientUnit", unit, p, pid, false, err);
}

int
sdbus_stop_unit (const char *unit, sbx_error_t *err)
{
  return job_call ("StopUnit", unit, NULL, 0, true, err);
}

int
sdbus_set_properties (const char *unit, const struct sdbus_props *p, sbx_error_t *err)
{
  sd_bus *bus = NULL;
  sd_bus_message *m = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r, ret = -1;

  if (bus_open (&bus, err) < 0)
    return -1;
  r = sd_bus_message_new_method_call (bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties");
  if (r >= 0)
    r = sd_bus_message_append (m, "sb", unit, 1);
  if (r < 0)
    sbx_error_sys (err, -r, "systemd: build message");
  else if (append_props (m, p, 0, err) == 0)
    {
      r = sd_bus_call (bus, m, 0, &e, NULL);
      if (r < 0)
        bus_fail (err, r, &e, "SetUnitProperties", unit);
      else
        ret = 0;
    }
  sd_bus_error_free (&e);
  sd_bus_message_unref (m);
  sd_bus_flush_close_unref (bus);
  return ret;
}

int
sdbus_manager_cgroup (char **out, sbx_error_t *err)
{
  sd_bus *bus = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r;

  *out = NULL;
  if (bus_open (&bus, err) < 0)
    return -1;
  r = sd_bus_get_property_string (bus, SD_DEST, SD_PATH, SD_MANAGER, "ControlGroup", &e, out);
  if (r < 0)
    bus_fail (err, r, &e, "read the manager's", "ControlGroup");
  sd_bus_error_free (&e);
  sd_bus_flush_close_unref (bus);
  return r < 0 ? -1 : 0;
}
