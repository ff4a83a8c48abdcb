/* Queries built by hand and by the query parser, with C callbacks for field
 * and range processing. */
#include <cstdlib>

#include "internal.h"

using namespace xc_internal;

namespace {

/* Take a callback's message (malloc'd or NULL) as a std::string. */
std::string take_message(char *msg, const char *fallback)
{
	std::string m = msg ? msg : fallback;
	std::free(msg);
	return m;
}

Xapian::Query take_query(xc_query *q)
{
	if (!q)
		return Xapian::Query();
	Xapian::Query r = q->q;
	delete q;
	return r;
}

/* Record a callback's failure on the parser's handle (the first one wins)
 * and let the parse finish: xc_qp_parse reports it.  Throwing from a
 * processor instead leaks memory inside Xapian 1.4's parser. */
Xapian::Query callback_failed(xc_qp *owner, char *msg, const char *fallback)
{
	std::string m = take_message(msg, fallback);
	if (!owner->cb_failed) {
		owner->cb_failed = true;
		owner->cb_err = m;
	}
	return Xapian::Query::MatchNothing;
}

class CallbackField : public Xapian::FieldProcessor {
	xc_field_fn fn;
	void *ctx;
	xc_qp *owner;

public:
	CallbackField(xc_field_fn f, void *c, xc_qp *o) : fn(f), ctx(c), owner(o) {}

	Xapian::Query operator()(const std::string &str) override
	{
		xc_query *q = nullptr;
		char *msg = nullptr;
		xc_status st = fn(ctx, str.data(), str.size(), &q, &msg);
		if (st != XC_OK) {
			delete q;
			return callback_failed(owner, msg, "field callback failed");
		}
		std::free(msg);
		return take_query(q);
	}
};

class CallbackRange : public Xapian::RangeProcessor {
	xc_range_fn fn;
	void *ctx;
	xc_qp *owner;

public:
	CallbackRange(const std::string &prefix, xc_range_fn f, void *c, xc_qp *o)
		: Xapian::RangeProcessor(Xapian::BAD_VALUENO, prefix, 0), fn(f), ctx(c), owner(o)
	{
	}

	Xapian::Query operator()(const std::string &begin, const std::string &end) override
	{
		xc_query *q = nullptr;
		char *msg = nullptr;
		xc_status st = fn(ctx, begin.data(), begin.size(), end.data(), end.size(), &q, &msg);
		if (st == XC_NOT_FOUND) {
			delete q;
			std::free(msg);
			return Xapian::Query(Xapian::Query::OP_INVALID);
		}
		if (st != XC_OK) {
			delete q;
			return callback_failed(owner, msg, "range callback failed");
		}
		std::free(msg);
		return take_query(q);
	}
};

xc_status new_query(xc_query **out, const Xapian::Query &q)
{
	*out = new xc_query;
	(*out)->q = q;
	return XC_OK;
}

}

extern "C" {

xc_status xc_query_term(const char *term, size_t len, xc_query **out)
{
	if (!term || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] { return new_query(out, Xapian::Query(std::string(term, len))); });
}

xc_status xc_query_combine(xc_query_op op, xc_query *const *subs, size_t n, uint32_t window, xc_query **out)
{
	if (!out || (!subs && n))
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	switch (op) {
	case XC_OP_AND: case XC_OP_OR: case XC_OP_AND_NOT: case XC_OP_XOR:
	case XC_OP_AND_MAYBE: case XC_OP_FILTER: case XC_OP_NEAR: case XC_OP_PHRASE:
	case XC_OP_SYNONYM: case XC_OP_MAX:
		break;
	default:
		return XC_ERR_INVALID_ARGUMENT;
	}
	for (size_t i = 0; i < n; i++)
		if (!subs[i])
			return XC_ERR_INVALID_ARGUMENT;
	return guard(nullptr, [&] {
		std::vector<Xapian::Query> v;
		v.reserve(n);
		for (size_t i = 0; i < n; i++)
			v.push_back(subs[i]->q);
		return new_query(out, Xapian::Query(static_cast<Xapian::Query::op>(op), v.begin(), v.end(), window));
	});
}

xc_status xc_query_value_range(xc_valueno slot, const char *lo, size_t lolen, const char *hi, size_t hilen,
			       xc_query **out)
{
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		if (lo && hi)
			return new_query(out, Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot,
							    std::string(lo, lolen), std::string(hi, hilen)));
		if (lo)
			return new_query(out, Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, std::string(lo, lolen)));
		if (hi)
			return new_query(out, Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, std::string(hi, hilen)));
		return new_query(out, Xapian::Query::MatchAll);
	});
}

xc_status xc_query_match_all(xc_query **out)
{
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] { return new_query(out, Xapian::Query::MatchAll); });
}

xc_status xc_query_match_nothing(xc_query **out)
{
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] { return new_query(out, Xapian::Query::MatchNothing); });
}

xc_status xc_query_wildcard(const char *prefix, uint32_t max_expansion, xc_query **out)
{
	if (!prefix || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		return new_query(out, Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, max_expansion,
						    Xapian::Query::WILDCARD_LIMIT_ERROR));
	});
}

xc_status xc_query_scale_weight(const xc_query *q, double factor, xc_query **out)
{
	if (!q || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		return new_query(out, Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor));
	});
}

int xc_query_empty(const xc_query *q)
{
	return !q || q->q.empty();
}

char *xc_query_describe(const xc_query *q)
{
	if (!q)
		return nullptr;
	try {
		return dup(q->q.get_description());
	} catch (...) {
		return nullptr;
	}
}

void xc_query_destroy(xc_query *q)
{
	delete q;
}

xc_status xc_qp_create(xc_qp **out)
{
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		*out = new xc_qp;
		return XC_OK;
	});
}

const char *xc_qp_error(const xc_qp *qp)
{
	return qp ? qp->err.c_str() : "";
}

void xc_qp_destroy(xc_qp *qp)
{
	delete qp;
}

xc_status xc_qp_set_database(xc_qp *qp, xc_db *db)
{
	if (!qp || !db)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&qp->err, [&] {
		qp->qp.set_database(db->db);
		return XC_OK;
	});
}

xc_status xc_qp_set_stemmer(xc_qp *qp, const xc_stem *stem)
{
	if (!qp)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&qp->err, [&] {
		qp->qp.set_stemmer(stem ? stem->stem : Xapian::Stem());
		return XC_OK;
	});
}

xc_status xc_qp_set_stemming_strategy(xc_qp *qp, int strategy)
{
	if (!qp || strategy < XC_STEM_NONE || strategy > XC_STEM_SOME_FULL_POS)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&qp->err, [&] {
		qp->qp.set_stemming_strategy(static_cast<Xapian::QueryParser::stem_strategy>(strategy));
		return XC_OK;
	});
}

xc_status xc_qp_set_default_op(xc_qp *qp, xc_query_op op)
{
	if (!qp)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&qp->err, [&] {
		qp->qp.set_default_op(static_cast<Xapian::Query::op>(op));
		return XC_OK;
	});
}

xc_status xc_qp_set_max_expansion(xc_qp *qp, uint32_t max_expansion)
{
	if (!qp)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&qp->err, [&] {
		qp->qp.set_max_expansion(max_expansion, Xapian::Query::WILDCARD_LIMIT_ERROR,
					 Xapian::QueryParser::FLAG_WILDCARD | Xapian::QueryParser::FLAG_PARTIAL);
		return XC_OK;
	});
}

xc_status xc_qp_add_prefix(xc_qp *qp, const char *field, const char *prefix)
{
	if (!qp || !field || !prefix)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&qp->err, [&] {
		qp->qp.add_prefix(field, prefix);
		return XC_OK;
	});
}

xc_status xc_qp_add_boolean_prefix(xc_qp *qp, const char *field, const char *prefix, const char *grouping)
{
	if (!qp || !field || !prefix)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&qp->err, [&] {
		if (grouping) {
			std::string g(grouping);
			qp->qp.add_boolean_prefix(field, prefix, &g);
		} else {
			qp->qp.add_boolean_prefix(field, prefix);
		}
		return XC_OK;
	});
}

xc_status xc_qp_add_field_callback(xc_qp *qp, const char *field, int boolean, xc_field_fn fn, void *ctx)
{
	if (!qp || !field || !fn)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&qp->err, [&] {
		Xapian::FieldProcessor *p = new CallbackField(fn, ctx, qp);
		p->release();
		if (boolean)
			qp->qp.add_boolean_prefix(field, p);
		else
			qp->qp.add_prefix(field, p);
		return XC_OK;
	});
}

xc_status xc_qp_add_range_callback(xc_qp *qp, const char *prefix, xc_range_fn fn, void *ctx)
{
	if (!qp || !fn)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&qp->err, [&] {
		Xapian::RangeProcessor *p = new CallbackRange(prefix ? prefix : "", fn, ctx, qp);
		p->release();
		qp->qp.add_rangeprocessor(p);
		return XC_OK;
	});
}

xc_status xc_qp_parse(xc_qp *qp, const char *text, int flags, const char *default_prefix, xc_query **out)
{
	if (!qp || !text || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	qp->cb_failed = false;
	qp->cb_err.clear();
	return guard(&qp->err, [&] {
		Xapian::Query q = qp->qp.parse_query(text, static_cast<unsigned>(flags),
						      default_prefix ? default_prefix : "");
		if (qp->cb_failed) {
			qp->err = qp->cb_err;
			return XC_ERR_CALLBACK;
		}
		return new_query(out, q);
	});
}

}
