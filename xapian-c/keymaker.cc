/* Sort keys made of several parts: values, and the frequencies of terms
 * named by values (Xapian KeyMaker). */
#include "internal.h"

using namespace xc_internal;

namespace {

/*
 * The key is the parts one after another, encoded so that comparing two
 * keys byte by byte compares the parts in order: a value that is not the
 * last part has its zero bytes doubled as 0x00 0xff and ends with 0x00
 * 0x00 (which sorts before any continuation); a reversed value has every
 * byte complemented, a complemented 0xff followed by 0x00, and ends with
 * 0xff 0xff.  A term frequency is four bytes, big-endian (complemented
 * when reversed), so it needs no end mark.
 */
class PartsKeyMaker : public Xapian::KeyMaker {
	struct Part {
		bool termfreq;
		std::string prefix;
		Xapian::valueno slot;
		bool reverse;
	};
	Xapian::Database db;
	std::vector<Part> parts;

	static void add_value(std::string &key, const std::string &v, bool reverse, bool last)
	{
		if (!reverse) {
			if (last) {
				key += v;
				return;
			}
			for (char c : v) {
				key += c;
				if (c == '\0')
					key += '\xff';
			}
			key.append(2, '\0');
			return;
		}
		for (char c : v) {
			unsigned char r = static_cast<unsigned char>(~static_cast<unsigned char>(c));
			key += static_cast<char>(r);
			if (r == 0xff)
				key += '\0';
		}
		key.append(2, '\xff');
	}

public:
	explicit PartsKeyMaker(const Xapian::Database &d) : db(d) {}

	void add(bool termfreq, const std::string &prefix, Xapian::valueno slot, bool reverse)
	{
		parts.push_back(Part{ termfreq, prefix, slot, reverse });
	}

	std::string operator()(const Xapian::Document &doc) const override
	{
		std::string key;
		for (size_t i = 0; i < parts.size(); i++) {
			const Part &p = parts[i];
			std::string v = doc.get_value(p.slot);
			if (!p.termfreq) {
				add_value(key, v, p.reverse, i + 1 == parts.size());
				continue;
			}
			uint32_t f = v.empty() ? 0 : db.get_termfreq(p.prefix + v);
			if (p.reverse)
				f = ~f;
			for (int shift = 24; shift >= 0; shift -= 8)
				key += static_cast<char>((f >> shift) & 0xff);
		}
		return key;
	}
};

}

static PartsKeyMaker *parts(xc_keymaker *km)
{
	return static_cast<PartsKeyMaker *>(km->km.get());
}

extern "C" {

xc_status xc_keymaker_create(xc_db *db, xc_keymaker **out)
{
	if (!db || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&db->err, [&] {
		std::unique_ptr<xc_keymaker> k(new xc_keymaker);
		k->km = (new PartsKeyMaker(db->db))->release();
		*out = k.release();
		return XC_OK;
	});
}

const char *xc_keymaker_error(const xc_keymaker *km)
{
	return km ? km->err.c_str() : "";
}

void xc_keymaker_destroy(xc_keymaker *km)
{
	delete km;
}

xc_status xc_keymaker_add_value(xc_keymaker *km, xc_valueno slot, int reverse)
{
	if (!km)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&km->err, [&] {
		parts(km)->add(false, std::string(), slot, reverse != 0);
		return XC_OK;
	});
}

xc_status xc_keymaker_add_termfreq(xc_keymaker *km, const char *prefix, xc_valueno slot, int reverse)
{
	if (!km || !prefix)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&km->err, [&] {
		parts(km)->add(true, prefix, slot, reverse != 0);
		return XC_OK;
	});
}

xc_status xc_keymaker_key(xc_keymaker *km, xc_doc *doc, char **key, size_t *len)
{
	if (!km || !doc || !key)
		return XC_ERR_INVALID_ARGUMENT;
	*key = nullptr;
	return guard(&km->err, [&] {
		dup_to((*parts(km))(doc->doc), key, len);
		return XC_OK;
	});
}

xc_status xc_enquire_set_sort_by_key(xc_enquire *enq, xc_keymaker *km, int reverse, int then_relevance)
{
	if (!enq || !km)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&enq->err, [&] {
		if (then_relevance)
			enq->enq.set_sort_by_key_then_relevance(km->km.get(), reverse != 0);
		else
			enq->enq.set_sort_by_key(km->km.get(), reverse != 0);
		return XC_OK;
	});
}

}
