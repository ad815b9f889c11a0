// hk_memory_file: memfd_create, which Swift's Glibc module does not expose.
#ifdef __linux__
#define _GNU_SOURCE
#include <sys/mman.h>
#endif
#include <errno.h>
#include "CKernels.h"

int hk_memory_file(const char *name) {
#if defined(__linux__) && defined(MFD_CLOEXEC)
    return memfd_create(name, MFD_CLOEXEC);
#else
    (void)name;
    errno = ENOSYS;
    return -1;
#endif
}
