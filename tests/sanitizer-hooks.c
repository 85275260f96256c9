/* sanitizer-hooks.c: linked into every test binary.
 *
 * GLib 2.74 keeps the folder names G_TEST_OPTION_ISOLATE_DIRS sets for
 * each test (in g_set_user_dirs) on purpose; that is not a leak of ours.
 * Under AddressSanitizer these hooks suppress it, and the slow unwinder
 * lets the suppression see the caller through GLib, which is built
 * without frame pointers. Without the sanitizers nothing calls them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

__attribute__ ((visibility ("default"), used)) const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

__attribute__ ((visibility ("default"), used)) const char *
__lsan_default_suppressions (void)
{
  return "leak:g_set_user_dirs\n";
}
