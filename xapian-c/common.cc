/* Statuses, messages and the small helpers every part of the binding uses. */
#include <cstdlib>
#include <cstring>

#include "internal.h"

namespace xc_internal {

std::string describe(const Xapian::Error &e)
{
	std::string msg = e.get_msg();
	if (msg.empty())
		msg = e.get_type();
	const char *why = e.get_error_string();
	if (why && *why) {
		msg += " (";
		msg += why;
		msg += ")";
	}
	return msg;
}

char *dup(const std::string &s)
{
	char *p = static_cast<char *>(std::malloc(s.size() + 1));
	if (!p)
		throw std::bad_alloc();
	std::memcpy(p, s.data(), s.size());
	p[s.size()] = '\0';
	return p;
}

bool dup_to(const std::string &s, char **dst, size_t *len)
{
	*dst = dup(s);
	if (len)
		*len = s.size();
	return true;
}

void set_errmsg(char **errmsg, const std::string &msg)
{
	if (!errmsg)
		return;
	*errmsg = static_cast<char *>(std::malloc(msg.size() + 1));
	if (*errmsg) {
		std::memcpy(*errmsg, msg.data(), msg.size());
		(*errmsg)[msg.size()] = '\0';
	}
}

}

using namespace xc_internal;

extern "C" {

const char *xc_status_string(xc_status status)
{
	switch (status) {
	case XC_OK: return "success";
	case XC_END: return "end of iteration";
	case XC_NOT_FOUND: return "not found";
	case XC_ERR_NOMEM: return "out of memory";
	case XC_ERR_INVALID_ARGUMENT: return "invalid argument";
	case XC_ERR_DATABASE_MODIFIED: return "database modified";
	case XC_ERR_DATABASE_LOCKED: return "database locked";
	case XC_ERR_DATABASE_OPENING: return "cannot open database";
	case XC_ERR_DATABASE_CORRUPT: return "database corrupt";
	case XC_ERR_DATABASE: return "database error";
	case XC_ERR_QUERY_PARSER: return "query syntax error";
	case XC_ERR_WILDCARD: return "wildcard expands too far";
	case XC_ERR_NETWORK: return "network error";
	case XC_ERR_CALLBACK: return "callback failed";
	case XC_ERR_XAPIAN: return "xapian error";
	case XC_ERR_UNKNOWN: return "unknown error";
	}
	return "unknown status";
}

const char *xc_version_string(void)
{
	return Xapian::version_string();
}

size_t xc_sortable_serialise(double value, char *buf)
{
	/* Xapian documents at most 18 bytes for a double. */
	return Xapian::sortable_serialise_(value, buf);
}

double xc_sortable_unserialise(const char *buf, size_t len)
{
	try {
		return Xapian::sortable_unserialise(std::string(buf, len));
	} catch (...) {
		return 0.0;
	}
}

xc_status xc_unicode_tolower(const char *text, size_t len, char **out, size_t *outlen)
{
	if (!text || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		std::string lower = Xapian::Unicode::tolower(std::string(text, len));
		dup_to(lower, out, outlen);
		return XC_OK;
	});
}

/* ---- iterators ---- */

xc_status xc_termiter_next(xc_termiter *it, const char **term, size_t *len, uint32_t *freq)
{
	if (!it)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&it->err, [&] {
		uint32_t f = 0;
		if (it->snapshot) {
			if (it->started)
				it->pos++;
			it->started = true;
			if (it->pos >= it->items.size())
				return XC_END;
			it->cur = it->items[it->pos].first;
			f = it->items[it->pos].second;
		} else {
			if (it->started && it->it != it->end)
				++it->it;
			it->started = true;
			if (it->it == it->end)
				return XC_END;
			it->cur = *it->it;
			f = it->wdf ? it->it.get_wdf() : it->it.get_termfreq();
		}
		if (term)
			*term = it->cur.c_str();
		if (len)
			*len = it->cur.size();
		if (freq)
			*freq = f;
		return XC_OK;
	});
}

xc_status xc_termiter_skip_to(xc_termiter *it, const char *term, size_t len)
{
	if (!it || (!term && len))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&it->err, [&] {
		std::string t(term ? term : "", len);
		if (it->snapshot) {
			size_t i = it->started ? it->pos : 0;
			while (i < it->items.size() && it->items[i].first < t)
				i++;
			it->pos = i;
		} else {
			it->it.skip_to(t);
		}
		/* The next call to next() returns the current position. */
		it->started = false;
		return XC_OK;
	});
}

const char *xc_termiter_error(const xc_termiter *it)
{
	return it ? it->err.c_str() : "";
}

void xc_termiter_destroy(xc_termiter *it)
{
	delete it;
}

xc_status xc_postiter_next(xc_postiter *it, xc_docid *docid)
{
	if (!it)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&it->err, [&] {
		if (it->started && it->it != it->end)
			++it->it;
		it->started = true;
		if (it->it == it->end)
			return XC_END;
		if (docid)
			*docid = *it->it;
		return XC_OK;
	});
}

const char *xc_postiter_error(const xc_postiter *it)
{
	return it ? it->err.c_str() : "";
}

void xc_postiter_destroy(xc_postiter *it)
{
	delete it;
}

}
