#define QR_LIBARCHIVE_IMPL
#include "libarchive.h"

#include <dlfcn.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>

#include "status.h"

/* The soname of libarchive 3, whose headers this file is compiled with. */
#if ARCHIVE_VERSION_NUMBER < 3000000 || ARCHIVE_VERSION_NUMBER >= 4000000
#error "libarchive 3 expected (soname libarchive.so.13)"
#endif
#define SONAME "libarchive.so.13"

struct qr_libarchive_fns qr_la;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[256];

static void load(void)
{
	void *h = dlopen(SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(failure, sizeof(failure), "cannot load %s: %s", SONAME, dlerror());
		return;
	}
	/* dlsym returns an object pointer; POSIX guarantees it converts to a
	 * function pointer, which memcpy does without a cast ISO C lacks. */
#define QR_LIBARCHIVE_SYM(f)                                                                            \
	do {                                                                                            \
		void *p = dlsym(h, #f);                                                                 \
		if (!p) {                                                                               \
			snprintf(failure, sizeof(failure), "%s has no %s", SONAME, #f);                 \
			return;                                                                         \
		}                                                                                       \
		memcpy(&qr_la.f, &p, sizeof(p));                                                        \
	} while (0);
	QR_LIBARCHIVE_FUNCS(QR_LIBARCHIVE_SYM)
#undef QR_LIBARCHIVE_SYM
}

int qr_libarchive(qr_buf *err)
{
	pthread_once(&once, load);
	if (!failure[0])
		return 0;
	qr_buf_setf(err, "%s", failure);
	return QR_INTERNAL;
}
