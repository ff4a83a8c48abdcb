/*
 * Private to libxapian-c: the handle structs and the one place where C++
 * exceptions are turned into statuses.
 */
#ifndef XAPIAN_C_INTERNAL_H
#define XAPIAN_C_INTERNAL_H

#include <xapian.h>

#include <map>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "xapian-c.h"

struct xc_db {
	Xapian::Database db;          /* for writers, a WritableDatabase slice */
	Xapian::WritableDatabase wdb;
	bool writable = false;
	std::string err;
};

struct xc_doc {
	Xapian::Document doc;
	std::string err;
};

struct xc_stem {
	Xapian::Stem stem;
};

struct xc_termgen {
	Xapian::TermGenerator tg;
	std::string err;
};

struct xc_query {
	Xapian::Query q;
};

struct xc_qp {
	Xapian::QueryParser qp;
	std::string err;
	/* A callback's failure, kept here instead of thrown: an exception
	 * thrown through Xapian's parser leaks what the parser holds. */
	bool cb_failed = false;
	std::string cb_err;
};

struct xc_enquire {
	Xapian::Enquire enq;
	std::string err;
	explicit xc_enquire(const Xapian::Database &db) : enq(db) {}
};

struct xc_mset {
	Xapian::MSet ms;
	std::string err;
};

enum xc_spy_kind { XC_SPY_TERMS, XC_SPY_VALUES, XC_SPY_STATS };

struct xc_spy {
	/* Shared with every Enquire it is added to (Xapian counts references). */
	Xapian::Internal::opt_intrusive_ptr<Xapian::MatchSpy> spy;
	xc_spy_kind kind = XC_SPY_TERMS;
	/* Set for value-count spies. */
	Xapian::ValueCountMatchSpy *values = nullptr;
	std::string err;
};

struct xc_keymaker {
	/* Shared with every Enquire and spy that uses it (Xapian counts
	 * references). */
	Xapian::Internal::opt_intrusive_ptr<Xapian::KeyMaker> km;
	std::string err;
};

/* Either a live Xapian::TermIterator or a snapshot of (name, count) pairs. */
struct xc_termiter {
	bool snapshot = false;
	bool wdf = false;             /* report wdf (document term lists) */
	Xapian::TermIterator it, end;
	std::vector<std::pair<std::string, uint32_t>> items;
	size_t pos = 0;
	bool started = false;
	std::string cur;
	std::string err;
};

struct xc_postiter {
	Xapian::PostingIterator it, end;
	bool started = false;
	std::string err;
};

namespace xc_internal {

std::string describe(const Xapian::Error &e);

/* Keep a message on a handle without letting an exception out: guard() is
 * noexcept, so running out of memory while keeping the message of another
 * failure must not throw (std::terminate).  The fallback fits in
 * std::string's own buffer, so it allocates nothing. */
template <class Make>
void keep(std::string *err, Make &&make) noexcept
{
	if (!err)
		return;
	try {
		*err = make();
	} catch (...) {
		try {
			err->assign("out of memory");
		} catch (...) {
			err->clear();
		}
	}
}

/*
 * Run f, which returns an xc_status, and turn every exception into a status
 * with its message in *err.  Xapian::Error does not derive from
 * std::exception, so it is caught on its own.
 */
template <class F>
xc_status guard(std::string *err, F &&f) noexcept
{
	try {
		return f();
	} catch (const Xapian::DatabaseModifiedError &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_DATABASE_MODIFIED;
	} catch (const Xapian::DatabaseLockError &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_DATABASE_LOCKED;
	} catch (const Xapian::DatabaseCorruptError &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_DATABASE_CORRUPT;
	} catch (const Xapian::DatabaseOpeningError &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_DATABASE_OPENING;
	} catch (const Xapian::DatabaseError &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_DATABASE;
	} catch (const Xapian::DocNotFoundError &e) {
		keep(err, [&] { return describe(e); });
		return XC_NOT_FOUND;
	} catch (const Xapian::QueryParserError &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_QUERY_PARSER;
	} catch (const Xapian::WildcardError &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_WILDCARD;
	} catch (const Xapian::NetworkError &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_NETWORK;
	} catch (const Xapian::InvalidArgumentError &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_INVALID_ARGUMENT;
	} catch (const Xapian::InvalidOperationError &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_INVALID_ARGUMENT;
	} catch (const Xapian::Error &e) {
		keep(err, [&] { return describe(e); });
		return XC_ERR_XAPIAN;
	} catch (const std::bad_alloc &) {
		keep(err, [] { return std::string("out of memory"); });
		return XC_ERR_NOMEM;
	} catch (const std::exception &e) {
		keep(err, [&] { return std::string(e.what()); });
		return XC_ERR_UNKNOWN;
	} catch (...) {
		keep(err, [] { return std::string("unknown exception"); });
		return XC_ERR_UNKNOWN;
	}
}

/* Copy a C++ string into malloc'd, NUL-terminated memory. */
char *dup(const std::string &s);
/* dup() into *dst; false when out of memory. */
bool dup_to(const std::string &s, char **dst, size_t *len);
/* A malloc'd copy of msg for the errmsg out-parameters. */
void set_errmsg(char **errmsg, const std::string &msg);

/* A throwaway error string for guard() on calls without a handle. */
struct scratch {
	std::string err;
};

}

#endif
