#ifndef HEADROOM_CLIBCGROUP_SHIM_H
#define HEADROOM_CLIBCGROUP_SHIM_H

#if !__has_include(<libcgroup.h>)
#error "libcgroup headers not found: install them with 'apt-get install libcgroup-dev' (Debian) or provide libcgroup via pkg-config"
#endif

#include <libcgroup.h>

#endif
