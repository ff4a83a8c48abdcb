#define QR_LIBARCHIVE_IMPL
#include "libarchive.h"

#include <pthread.h>
#include <string.h>

#include "dl.h"
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
#define QR_LIBARCHIVE_NAME(f) #f,
	static const char *const names[] = { QR_LIBARCHIVE_FUNCS(QR_LIBARCHIVE_NAME) };
#undef QR_LIBARCHIVE_NAME
	void *syms[sizeof(names) / sizeof(names[0])];
	if (qr_dl_load(SONAME, names, sizeof(names) / sizeof(names[0]), syms, failure, sizeof(failure)))
		return;
	/* POSIX: dlsym's object pointer converts to a function pointer; memcpy
	 * does it without the cast ISO C lacks. */
	size_t i = 0;
#define QR_LIBARCHIVE_SET(f) memcpy(&qr_la.f, &syms[i++], sizeof(void *));
	QR_LIBARCHIVE_FUNCS(QR_LIBARCHIVE_SET)
#undef QR_LIBARCHIVE_SET
}

int qr_libarchive(qr_buf *err)
{
	pthread_once(&once, load);
	if (!failure[0])
		return 0;
	qr_buf_setf(err, "%s", failure);
	return QR_INTERNAL;
}
