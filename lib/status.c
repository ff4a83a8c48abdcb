#include "status.h"

const char *qr_status_string(qr_status st)
{
	switch (st) {
	case QR_OK: return "success";
	case QR_END: return "end";
	case QR_NOT_FOUND: return "not found";
	case QR_SKIP: return "skipped";
	case QR_USAGE: return "usage error";
	case QR_BAD_INPUT: return "bad input";
	case QR_DAMAGED: return "damaged corpus";
	case QR_LOCKED: return "corpus is locked by another writer";
	case QR_IO: return "i/o error";
	case QR_NOMEM: return "out of memory";
	case QR_LIMIT: return "limit reached";
	case QR_INTERNAL: return "internal error";
	}
	return "unknown status";
}

int qr_status_exit_code(qr_status st)
{
	switch (st) {
	case QR_OK:
	case QR_END:
	case QR_SKIP:
		return QR_EXIT_OK;
	case QR_NOT_FOUND:
		return QR_EXIT_NO_HITS;
	case QR_USAGE:
		return QR_EXIT_USAGE;
	case QR_BAD_INPUT:
	case QR_DAMAGED:
	case QR_LIMIT:
		return QR_EXIT_DAMAGED;
	case QR_LOCKED:
		return QR_EXIT_LOCKED;
	case QR_IO:
	case QR_NOMEM:
	case QR_INTERNAL:
		return QR_EXIT_INTERNAL;
	}
	return QR_EXIT_INTERNAL;
}
