/* test_error.c: error building, wrapping and appending. */
#include <errno.h>

#include "error.h"
#include "unit.h"

UNIT_TEST (set_keeps_message_and_errno)
{
  sbx_error_t err = { 0 };
  CHECK (sbx_error_set (&err, ENOENT, "container \"%s\" does not exist", "a") == -1);
  CHECK_STREQ (err.msg, "container \"a\" does not exist");
  CHECK_INTEQ (err.errno_, ENOENT);
  sbx_error_free (&err);
  CHECK (err.msg == NULL);
}

UNIT_TEST (sys_appends_lowercase_strerror)
{
  sbx_error_t err = { 0 };
  sbx_error_sys (&err, ENOENT, "stat %s", "/x");
  CHECK_STREQ (err.msg, "stat /x: no such file or directory");
  sbx_error_sys (&err, EACCES, "open");
  CHECK_STREQ (err.msg, "open: permission denied");
  sbx_error_free (&err);
}

UNIT_TEST (wrap_prepends_context)
{
  sbx_error_t err = { 0 };
  sbx_error_set (&err, EINVAL, "inner");
  sbx_error_wrap (&err, "middle %d", 2);
  sbx_error_wrap (&err, "outer");
  CHECK_STREQ (err.msg, "outer: middle 2: inner");
  CHECK_INTEQ (err.errno_, EINVAL);
  sbx_error_free (&err);
}

UNIT_TEST (append_keeps_first_error)
{
  sbx_error_t err = { 0 };
  sbx_error_set (&err, EIO, "create failed");
  sbx_error_append (&err, "cleanup: %s", "rmdir busy");
  CHECK_STREQ (err.msg, "create failed (and then: cleanup: rmdir busy)");
  sbx_error_free (&err);
}

UNIT_TEST (null_error_is_allowed)
{
  CHECK (sbx_error_set (NULL, EIO, "x") == -1);
  CHECK (sbx_error_wrap (NULL, "x") == -1);
}

int
main (void)
{
  return unit_main ();
}
