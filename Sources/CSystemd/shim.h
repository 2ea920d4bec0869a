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

#endif
