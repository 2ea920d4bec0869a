#ifndef HEADROOM_CSYSTEMD_SHIM_H
#define HEADROOM_CSYSTEMD_SHIM_H

#if !__has_include(<systemd/sd-bus.h>)
#error "libsystemd headers not found: install them with 'apt-get install libsystemd-dev' (Debian) or provide libsystemd via pkg-config"
#endif

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <sys/uio.h>
#include <signal.h>
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>

/* sd_journal_sendv is a macro adding the caller's location; Swift cannot call macros. */
static inline int headroom_journal_sendv(const struct iovec *iov, int n) {
    return sd_journal_sendv(iov, n);
}

/* sd-event needs the handled signals blocked; sigset_t macros are not visible to Swift. */
static inline int headroom_block_signals(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    return sigprocmask(SIG_BLOCK, &set, NULL);
}

/* pidfd_open(2) and pidfd_send_signal(2) have no wrappers in older glibc, and syscall() is
   variadic. A pidfd names one process for good: a signal through it never reaches a later
   process that re-used the pid. -1 with errno ENOSYS where the kernel (< 5.3) or headers lack them. */
static inline int headroom_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

static inline int headroom_pidfd_send_signal(int pidfd, int signal) {
#ifdef SYS_pidfd_send_signal
    return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

#endif
