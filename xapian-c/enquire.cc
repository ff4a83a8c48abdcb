/* Running queries: Enquire, MSet (with snippets) and match spies. */
#include <algorithm>
#include <unordered_map>

#include "internal.h"

using namespace xc_internal;

namespace {

/* Counts, per term of a prefix, the matching documents that carry it.  The
 * document's term list is sorted, so skip_to finds the prefix at once. */
class TermCountSpy : public Xapian::MatchSpy {
	std::string prefix;

public:
	std::map<std::string, uint32_t> counts;
	uint32_t total = 0;

	explicit TermCountSpy(const std::string &p) : prefix(p) {}

	void operator()(const Xapian::Document &doc, double) override
	{
		total++;
		Xapian::TermIterator t = doc.termlist_begin();
		t.skip_to(prefix);
		for (; t != doc.termlist_end(); ++t) {
			const std::string &term = *t;
			if (term.compare(0, prefix.size(), prefix) != 0)
				break;
			counts[term]++;
		}
	}

	Xapian::MatchSpy *clone() const override
	{
		return new TermCountSpy(prefix);
	}

	std::string name() const override
	{
		return "quire.TermCountSpy";
	}
};

/*
 * Counts, for each item of a slot's value (the whole value, or each of its
 * parts between separator bytes: a document's list of links, say), the
 * matching documents that carry it (once a document), the distinct values
 * of another slot among them, and the document whose key is lowest.  A
 * document's values come from the value streams, not its term list.
 * Values of the distinct slot are interned: each item keeps the numbers of
 * the values it met, so memory grows with (item, document) pairs.
 */
class ValueStatsSpy : public Xapian::MatchSpy {
	Xapian::valueno slot;
	int sep;
	Xapian::valueno distinct_slot;
	Xapian::Internal::opt_intrusive_ptr<Xapian::KeyMaker> first_by;
	std::unordered_map<std::string, uint32_t> value_ids;
	std::vector<std::string> parts;

public:
	struct Entry {
		uint32_t count = 0;
		std::vector<uint32_t> values;   /* distinct once reduced */
		std::string first_key;
		Xapian::docid first = 0;
	};
	std::unordered_map<std::string, Entry> items;
	uint32_t total = 0;
	uint32_t with = 0;
	bool reduced = false;

	ValueStatsSpy(Xapian::valueno s, int separator, Xapian::valueno d, Xapian::KeyMaker *k)
		: slot(s), sep(separator), distinct_slot(d), first_by(k)
	{
	}

	bool counts_distinct() const { return distinct_slot != Xapian::BAD_VALUENO; }
	bool finds_first() const { return first_by.get() != nullptr; }

	void operator()(const Xapian::Document &doc, double) override
	{
		total++;
		std::string v = doc.get_value(slot);
		if (v.empty())
			return;
		parts.clear();
		if (sep < 0) {
			parts.push_back(std::move(v));
		} else {
			size_t at = 0;
			while (at <= v.size()) {
				size_t end = v.find(static_cast<char>(sep), at);
				if (end == std::string::npos)
					end = v.size();
				if (end > at)
					parts.emplace_back(v, at, end - at);
				at = end + 1;
			}
			std::sort(parts.begin(), parts.end());
			parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
		}
		if (parts.empty())
			return;
		with++;
		uint32_t vid = UINT32_MAX;
		if (counts_distinct()) {
			std::string d = doc.get_value(distinct_slot);
			/* A document without the value adds no distinct value. */
			if (!d.empty())
				vid = value_ids.emplace(std::move(d), static_cast<uint32_t>(value_ids.size())).first->second;
		}
		std::string key;
		Xapian::docid did = 0;
		if (finds_first()) {
			key = (*first_by)(doc);
			did = doc.get_docid();
		}
		for (const std::string &item : parts) {
			Entry &e = items[item];
			e.count++;
			if (vid != UINT32_MAX && (e.values.empty() || e.values.back() != vid))
				e.values.push_back(vid);
			if (did && (!e.first || key < e.first_key || (key == e.first_key && did < e.first))) {
				e.first_key = key;
				e.first = did;
			}
		}
	}

	/* Sort and deduplicate each item's values (once, after the match). */
	void reduce()
	{
		if (reduced)
			return;
		for (auto &kv : items) {
			std::vector<uint32_t> &vals = kv.second.values;
			std::sort(vals.begin(), vals.end());
			vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
			vals.shrink_to_fit();
		}
		reduced = true;
	}

	Xapian::MatchSpy *clone() const override
	{
		return new ValueStatsSpy(slot, sep, distinct_slot, first_by.get());
	}

	std::string name() const override
	{
		return "quire.ValueStatsSpy";
	}
};

TermCountSpy *term_spy(xc_spy *spy)
{
	return spy->kind == XC_SPY_TERMS ? static_cast<TermCountSpy *>(spy->spy.get()) : nullptr;
}

ValueStatsSpy *stats_spy(xc_spy *spy)
{
	return spy->kind == XC_SPY_STATS ? static_cast<ValueStatsSpy *>(spy->spy.get()) : nullptr;
}

}

extern "C" {

xc_status xc_enquire_create(xc_db *db, xc_enquire **out)
{
	if (!db || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&db->err, [&] {
		*out = new xc_enquire(db->db);
		return XC_OK;
	});
}

const char *xc_enquire_error(const xc_enquire *enq)
{
	return enq ? enq->err.c_str() : "";
}

void xc_enquire_destroy(xc_enquire *enq)
{
	delete enq;
}

xc_status xc_enquire_set_query(xc_enquire *enq, const xc_query *q)
{
	if (!enq || !q)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&enq->err, [&] {
		enq->enq.set_query(q->q);
		return XC_OK;
	});
}

xc_status xc_enquire_set_sort_by_value(xc_enquire *enq, xc_valueno slot, int reverse, int then_relevance)
{
	if (!enq)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&enq->err, [&] {
		if (then_relevance)
			enq->enq.set_sort_by_value_then_relevance(slot, reverse != 0);
		else
			enq->enq.set_sort_by_value(slot, reverse != 0);
		return XC_OK;
	});
}

xc_status xc_enquire_set_sort_by_relevance(xc_enquire *enq)
{
	if (!enq)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&enq->err, [&] {
		enq->enq.set_sort_by_relevance();
		return XC_OK;
	});
}

xc_status xc_enquire_set_sort_by_relevance_then_value(xc_enquire *enq, xc_valueno slot, int reverse)
{
	if (!enq)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&enq->err, [&] {
		enq->enq.set_sort_by_relevance_then_value(slot, reverse != 0);
		return XC_OK;
	});
}

xc_status xc_enquire_set_collapse_key(xc_enquire *enq, xc_valueno slot, uint32_t max)
{
	if (!enq)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&enq->err, [&] {
		enq->enq.set_collapse_key(slot, max);
		return XC_OK;
	});
}

xc_status xc_enquire_set_docid_order(xc_enquire *enq, int descending)
{
	if (!enq)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&enq->err, [&] {
		enq->enq.set_docid_order(descending ? Xapian::Enquire::DESCENDING : Xapian::Enquire::ASCENDING);
		return XC_OK;
	});
}

xc_status xc_enquire_set_weighting_bool(xc_enquire *enq)
{
	if (!enq)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&enq->err, [&] {
		enq->enq.set_weighting_scheme(Xapian::BoolWeight());
		return XC_OK;
	});
}

xc_status xc_enquire_add_spy(xc_enquire *enq, xc_spy *spy)
{
	if (!enq || !spy)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&enq->err, [&] {
		enq->enq.add_matchspy(spy->spy.get());
		return XC_OK;
	});
}

xc_status xc_enquire_clear_spies(xc_enquire *enq)
{
	if (!enq)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&enq->err, [&] {
		enq->enq.clear_matchspies();
		return XC_OK;
	});
}

xc_status xc_enquire_get_mset(xc_enquire *enq, uint32_t first, uint32_t maxitems, uint32_t checkatleast,
			      xc_mset **out)
{
	if (!enq || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&enq->err, [&] {
		std::unique_ptr<xc_mset> m(new xc_mset);
		m->ms = enq->enq.get_mset(first, maxitems, checkatleast);
		*out = m.release();
		return XC_OK;
	});
}

const char *xc_mset_error(const xc_mset *ms)
{
	return ms ? ms->err.c_str() : "";
}

void xc_mset_destroy(xc_mset *ms)
{
	delete ms;
}

uint32_t xc_mset_size(const xc_mset *ms)
{
	return ms ? ms->ms.size() : 0;
}

uint32_t xc_mset_matches_estimated(const xc_mset *ms)
{
	return ms ? ms->ms.get_matches_estimated() : 0;
}

uint32_t xc_mset_matches_lower_bound(const xc_mset *ms)
{
	return ms ? ms->ms.get_matches_lower_bound() : 0;
}

uint32_t xc_mset_matches_upper_bound(const xc_mset *ms)
{
	return ms ? ms->ms.get_matches_upper_bound() : 0;
}

xc_status xc_mset_fetch(xc_mset *ms)
{
	if (!ms)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&ms->err, [&] {
		/* Not MSet::fetch(): in Xapian 1.4.22 it indexes the items by
		 * rank, so on any page but the first it reads past them. */
		if (!ms->ms.empty())
			ms->ms.fetch(ms->ms.begin(), ms->ms.end());
		return XC_OK;
	});
}

static bool mset_index_ok(xc_mset *ms, uint32_t i)
{
	if (i < ms->ms.size())
		return true;
	ms->err = "result index out of range";
	return false;
}

xc_status xc_mset_docid(xc_mset *ms, uint32_t i, xc_docid *docid)
{
	if (!ms || !docid || !mset_index_ok(ms, i))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&ms->err, [&] {
		*docid = *(ms->ms[i]);
		return XC_OK;
	});
}

xc_status xc_mset_weight(xc_mset *ms, uint32_t i, double *weight)
{
	if (!ms || !weight || !mset_index_ok(ms, i))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&ms->err, [&] {
		*weight = ms->ms[i].get_weight();
		return XC_OK;
	});
}

xc_status xc_mset_percent(xc_mset *ms, uint32_t i, int *percent)
{
	if (!ms || !percent || !mset_index_ok(ms, i))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&ms->err, [&] {
		*percent = ms->ms[i].get_percent();
		return XC_OK;
	});
}

xc_status xc_mset_collapse_count(xc_mset *ms, uint32_t i, uint32_t *count)
{
	if (!ms || !count || !mset_index_ok(ms, i))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&ms->err, [&] {
		*count = ms->ms[i].get_collapse_count();
		return XC_OK;
	});
}

xc_status xc_mset_sort_key(xc_mset *ms, uint32_t i, char **key, size_t *len)
{
	if (!ms || !key || !mset_index_ok(ms, i))
		return XC_ERR_INVALID_ARGUMENT;
	*key = nullptr;
	return guard(&ms->err, [&] {
		dup_to(ms->ms[i].get_sort_key(), key, len);
		return XC_OK;
	});
}

xc_status xc_mset_document(xc_mset *ms, uint32_t i, xc_doc **out)
{
	if (!ms || !out || !mset_index_ok(ms, i))
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&ms->err, [&] {
		std::unique_ptr<xc_doc> d(new xc_doc);
		d->doc = ms->ms[i].get_document();
		*out = d.release();
		return XC_OK;
	});
}

xc_status xc_mset_snippet(xc_mset *ms, const char *text, size_t len, size_t length, const xc_stem *stem, int flags,
			  const char *hi_start, const char *hi_end, const char *omit, char **out)
{
	if (!ms || (!text && len) || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&ms->err, [&] {
		std::string s = ms->ms.snippet(std::string(text ? text : "", len), length,
					       stem ? stem->stem : Xapian::Stem(), static_cast<unsigned>(flags),
					       hi_start ? hi_start : "", hi_end ? hi_end : "", omit ? omit : "");
		*out = dup(s);
		return XC_OK;
	});
}

xc_status xc_spy_value_count(xc_valueno slot, xc_spy **out)
{
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		std::unique_ptr<xc_spy> s(new xc_spy);
		Xapian::ValueCountMatchSpy *v = new Xapian::ValueCountMatchSpy(slot);
		s->spy = v->release();
		s->values = v;
		s->kind = XC_SPY_VALUES;
		*out = s.release();
		return XC_OK;
	});
}

xc_status xc_spy_term_count(const char *prefix, xc_spy **out)
{
	if (!prefix || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		std::unique_ptr<xc_spy> s(new xc_spy);
		TermCountSpy *t = new TermCountSpy(prefix);
		s->spy = t->release();
		s->kind = XC_SPY_TERMS;
		*out = s.release();
		return XC_OK;
	});
}

xc_status xc_spy_value_stats(xc_valueno slot, int separator, xc_valueno distinct_slot, xc_keymaker *first_by,
			     xc_spy **out)
{
	if (!out || separator < -1 || separator > 255)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		std::unique_ptr<xc_spy> s(new xc_spy);
		ValueStatsSpy *v = new ValueStatsSpy(slot, separator,
						     distinct_slot == XC_NO_SLOT ? Xapian::BAD_VALUENO : distinct_slot,
						     first_by ? first_by->km.get() : nullptr);
		s->spy = v->release();
		s->kind = XC_SPY_STATS;
		*out = s.release();
		return XC_OK;
	});
}

/* The entry of an item in a stats spy; an error on the handle when the spy
 * does not keep what is asked. */
static ValueStatsSpy::Entry *stats_entry(xc_spy *spy, const char *item, size_t len, bool distinct, xc_status *st)
{
	ValueStatsSpy *v = stats_spy(spy);
	if (!v || (distinct ? !v->counts_distinct() : !v->finds_first())) {
		spy->err = distinct ? "the spy does not count distinct values" : "the spy does not find first documents";
		*st = XC_ERR_INVALID_ARGUMENT;
		return nullptr;
	}
	if (distinct)
		v->reduce();
	auto e = v->items.find(std::string(item ? item : "", len));
	*st = e == v->items.end() ? XC_NOT_FOUND : XC_OK;
	return e == v->items.end() ? nullptr : &e->second;
}

xc_status xc_spy_distinct(xc_spy *spy, const char *item, size_t len, uint32_t *distinct)
{
	if (!spy || (!item && len) || !distinct)
		return XC_ERR_INVALID_ARGUMENT;
	*distinct = 0;
	return guard(&spy->err, [&] {
		xc_status st;
		ValueStatsSpy::Entry *e = stats_entry(spy, item, len, true, &st);
		if (e)
			*distinct = static_cast<uint32_t>(e->values.size());
		return st;
	});
}

xc_status xc_spy_first(xc_spy *spy, const char *item, size_t len, xc_docid *docid)
{
	if (!spy || (!item && len) || !docid)
		return XC_ERR_INVALID_ARGUMENT;
	*docid = 0;
	return guard(&spy->err, [&] {
		xc_status st;
		ValueStatsSpy::Entry *e = stats_entry(spy, item, len, false, &st);
		if (e)
			*docid = e->first;
		return st;
	});
}

xc_status xc_spy_first_key(xc_spy *spy, const char *item, size_t len, const char **key, size_t *klen)
{
	if (!spy || (!item && len) || !key || !klen)
		return XC_ERR_INVALID_ARGUMENT;
	*key = nullptr;
	*klen = 0;
	return guard(&spy->err, [&] {
		xc_status st;
		ValueStatsSpy::Entry *e = stats_entry(spy, item, len, false, &st);
		if (e) {
			*key = e->first_key.data();
			*klen = e->first_key.size();
		}
		return st;
	});
}

uint32_t xc_spy_total_with(const xc_spy *spy)
{
	if (!spy || spy->kind != XC_SPY_STATS)
		return 0;
	return static_cast<const ValueStatsSpy *>(spy->spy.get())->with;
}

const char *xc_spy_error(const xc_spy *spy)
{
	return spy ? spy->err.c_str() : "";
}

void xc_spy_destroy(xc_spy *spy)
{
	delete spy;
}

uint32_t xc_spy_total(const xc_spy *spy)
{
	if (!spy)
		return 0;
	if (spy->kind == XC_SPY_VALUES)
		return spy->values->get_total();
	if (spy->kind == XC_SPY_STATS)
		return static_cast<const ValueStatsSpy *>(spy->spy.get())->total;
	return static_cast<const TermCountSpy *>(spy->spy.get())->total;
}

static xc_status spy_items(xc_spy *spy, uint32_t max, bool by_count, xc_termiter **out)
{
	if (!spy || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&spy->err, [&] {
		std::unique_ptr<xc_termiter> it(new xc_termiter);
		it->snapshot = true;
		if (spy->kind == XC_SPY_VALUES) {
			for (auto v = spy->values->values_begin(); v != spy->values->values_end(); ++v)
				it->items.emplace_back(*v, v.get_termfreq());
		} else if (spy->kind == XC_SPY_STATS) {
			/* Kept unordered while counting: put in byte order first,
			 * so that equal counts come in byte order as elsewhere. */
			for (const auto &kv : stats_spy(spy)->items)
				it->items.emplace_back(kv.first, kv.second.count);
			std::sort(it->items.begin(), it->items.end());
		} else {
			for (const auto &kv : term_spy(spy)->counts)
				it->items.emplace_back(kv.first, kv.second);
		}
		if (by_count) {
			std::stable_sort(it->items.begin(), it->items.end(),
					 [](const std::pair<std::string, uint32_t> &a,
					    const std::pair<std::string, uint32_t> &b) { return a.second > b.second; });
			if (max && it->items.size() > max)
				it->items.resize(max);
		}
		*out = it.release();
		return XC_OK;
	});
}

xc_status xc_spy_top(xc_spy *spy, uint32_t max, xc_termiter **out)
{
	return spy_items(spy, max, true, out);
}

xc_status xc_spy_all(xc_spy *spy, xc_termiter **out)
{
	return spy_items(spy, 0, false, out);
}

}
