// Before any header: the declarations below exist only with it.
#define _GNU_SOURCE

#include "SystemCallShims.h"

#include <errno.h>
#include <spawn.h>

#if defined(__linux__)
#include <sys/socket.h>
#endif

// __GLIBC_PREREQ is a function-like macro that only glibc defines: tested inside `#ifdef`.
#if defined(__GLIBC__)
#define LB_GLIBC_AT_LEAST(major, minor) __GLIBC_PREREQ(major, minor)
#else
#define LB_GLIBC_AT_LEAST(major, minor) 0
#endif

// recvmmsg since glibc 2.12, sendmmsg since 2.14; musl has both.
#if defined(__linux__) && (!defined(__GLIBC__) || LB_GLIBC_AT_LEAST(2, 14))
#define LB_HAS_MMSG 1
#else
#define LB_HAS_MMSG 0
#endif

#if LB_GLIBC_AT_LEAST(2, 34)
#define LB_HAS_CLOSEFROM 1
#else
#define LB_HAS_CLOSEFROM 0
#endif

#if LB_GLIBC_AT_LEAST(2, 29) || defined(__APPLE__)
#define LB_HAS_ADDCHDIR 1
#else
#define LB_HAS_ADDCHDIR 0
#endif

bool lb_datagram_batch_available(void) { return LB_HAS_MMSG; }

size_t lb_datagram_batch_message_size(void) {
#if LB_HAS_MMSG
    return sizeof(struct mmsghdr);
#else
    return 0;
#endif
}

int lb_datagram_batch_wait_for_one(void) {
#if LB_HAS_MMSG
    return MSG_WAITFORONE;
#else
    return 0;
#endif
}

int lb_recvmmsg(int socket, void *messages, unsigned int count, int flags, void *timeout) {
#if LB_HAS_MMSG
    return recvmmsg(socket, (struct mmsghdr *)messages, count, flags, (struct timespec *)timeout);
#else
    (void)socket, (void)messages, (void)count, (void)flags, (void)timeout;
    errno = ENOSYS;
    return -1;
#endif
}

int lb_sendmmsg(int socket, void *messages, unsigned int count, int flags) {
#if LB_HAS_MMSG
    return sendmmsg(socket, (struct mmsghdr *)messages, count, flags);
#else
    (void)socket, (void)messages, (void)count, (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

int lb_spawn_file_actions_add_close_from(posix_spawn_file_actions_t *actions, int from) {
#if LB_HAS_CLOSEFROM
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
#else
    (void)actions, (void)from;
    return ENOSYS;
#endif
}

int lb_spawn_file_actions_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
#if LB_HAS_ADDCHDIR
    return posix_spawn_file_actions_addchdir_np(actions, path);
#else
    (void)actions, (void)path;
    return ENOSYS;
#endif
}
