#ifndef SYSTEM_CALL_SHIMS_H
#define SYSTEM_CALL_SHIMS_H

// C library functions that Swift's Glibc module does not declare, because glibc declares them
// only with _GNU_SOURCE. SystemCallShims.c defines it and calls them by name, so that they are
// linked like any other function: no dlsym, which finds nothing in a static executable.
//
// Every function builds everywhere; where the C library lacks the call (not Linux, or a glibc
// older than the one that added it) it fails with ENOSYS, and the caller falls back.

#include <spawn.h>
#include <stdbool.h>
#include <stddef.h>

/// Whether recvmmsg(2) and sendmmsg(2) are available (Linux).
bool lb_datagram_batch_available(void);

/// sizeof(struct mmsghdr), or 0 where there is none: callers check their own layout against it.
size_t lb_datagram_batch_message_size(void);

/// MSG_WAITFORONE, or 0 where there is none.
int lb_datagram_batch_wait_for_one(void);

/// recvmmsg(socket, messages, count, flags, timeout); -1 with errno ENOSYS where there is none.
/// `messages` is an array of `count` struct mmsghdr, `timeout` a struct timespec or NULL.
int lb_recvmmsg(int socket, void *_Nullable messages, unsigned int count, int flags, void *_Nullable timeout);

/// sendmmsg(socket, messages, count, flags); -1 with errno ENOSYS where there is none.
int lb_sendmmsg(int socket, void *_Nullable messages, unsigned int count, int flags);

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34): close every descriptor from `from`
/// up in the child. Returns 0 or an error number; ENOSYS where the C library lacks it.
int lb_spawn_file_actions_add_close_from(posix_spawn_file_actions_t *_Nonnull actions, int from);

/// posix_spawn_file_actions_addchdir_np (glibc 2.29, macOS 10.15): change the child's working
/// directory. Returns 0 or an error number; ENOSYS where the C library lacks it.
int lb_spawn_file_actions_add_chdir(
    posix_spawn_file_actions_t *_Nonnull actions, const char *_Nonnull path);

#endif
