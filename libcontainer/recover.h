/* recover.h: what a container owns outside its state directory, recorded
 * before it exists (owned.json: the cgroup with its identity, the init's
 * pid and start time), so that `delete --force` and the next `create` of
 * the id can remove all of it after sbx was killed at any point, or when
 * state.json is missing or corrupt. state.json stays the record of a
 * finished create (state.c). */
#ifndef SBX_RECOVER_H
#define SBX_RECOVER_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup-driver.h"
#include "sbx.h"

#define OWNED_FILE "owned.json"

struct owned
{
  char *cgroup_path;           /* NULL: no cgroup */
  unsigned long long cgroup_ino; /* 0: the cgroup may not exist yet */
  enum cgroup_driver_kind driver;
  pid_t pid;                   /* 0: no init yet */
  unsigned long long start_time;
};

/* Atomically (re)write owned.json. */
int owned_write (int dirfd, const struct owned *o, sbx_error_t *err);
/* Read owned.json; -1 if it is missing or unreadable. */
int owned_read (int dirfd, struct owned *o, sbx_error_t *err);
void owned_free (struct owned *o);
/* Is the recorded init alive, or the recorded cgroup (if it is still the
   one recorded) populated? */
bool owned_alive (const struct owned *o);
/* Kill and remove everything owned.json records, then the state directory
   <rootfd>/<id> (the caller holds its lock). Without owned.json only the
   state directory is there to remove. A cgroup that is not the recorded
   one is left alone, with a warning. */
int recover_remove (int rootfd, int dirfd, const char *id, sbx_error_t *err);
/* delete --force: the default cgroup of id (`/sbx/ID`, which every root
   shares), if it is there and empty: a create killed before it recorded
   the cgroup leaves one, and it would block every later create of id. One
   with processes is someone's container and is left alone. */
void recover_default_cgroup (const char *id);

#endif
