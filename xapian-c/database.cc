/* Databases: opening, reading, writing, transactions, metadata. */
#include <algorithm>
#include <cstdlib>
#include <vector>

#include "internal.h"

using namespace xc_internal;

namespace {

bool need_writable(xc_db *db)
{
	if (db->writable)
		return true;
	db->err = "database is open read-only";
	return false;
}

}

extern "C" {

xc_status xc_db_open(const char *path, int mode, xc_db **out, char **errmsg)
{
	if (errmsg)
		*errmsg = nullptr;
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	if (!path) {
		set_errmsg(errmsg, "no database path given");
		return XC_ERR_INVALID_ARGUMENT;
	}
	std::string err;
	xc_db *db = nullptr;
	xc_status st = guard(&err, [&] {
		std::unique_ptr<xc_db> h(new xc_db);
		int action;
		int flags = 0;
		if (mode & XC_DB_NO_SYNC)
			flags |= Xapian::DB_NO_SYNC;
		if (mode & XC_DB_DANGEROUS)
			flags |= Xapian::DB_DANGEROUS;
		switch (mode & 0xff) {
		case XC_DB_READONLY:
			if (flags) {
				err = "sync flags are for writable databases";
				return XC_ERR_INVALID_ARGUMENT;
			}
			h->db = Xapian::Database(path);
			*out = db = h.release();
			return XC_OK;
		case XC_DB_CREATE_OR_OPEN: action = Xapian::DB_CREATE_OR_OPEN; break;
		case XC_DB_OPEN: action = Xapian::DB_OPEN; break;
		case XC_DB_CREATE: action = Xapian::DB_CREATE; break;
		default:
			err = "unknown database open mode";
			return XC_ERR_INVALID_ARGUMENT;
		}
		h->wdb = Xapian::WritableDatabase(path, action | flags | Xapian::DB_BACKEND_GLASS);
		h->db = h->wdb;
		h->writable = true;
		*out = db = h.release();
		return XC_OK;
	});
	if (st != XC_OK)
		set_errmsg(errmsg, err);
	return st;
}

xc_status xc_db_create_empty(xc_db **out)
{
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		*out = new xc_db;
		return XC_OK;
	});
}

xc_status xc_db_open_empty(xc_db **out)
{
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		std::unique_ptr<xc_db> h(new xc_db);
		h->db = Xapian::WritableDatabase(std::string(), Xapian::DB_BACKEND_INMEMORY);
		*out = h.release();
		return XC_OK;
	});
}

xc_status xc_db_add_shard(xc_db *db, xc_db *shard)
{
	if (!db || !shard)
		return XC_ERR_INVALID_ARGUMENT;
	if (db->writable) {
		db->err = "shards can only be added to a read-only database";
		return XC_ERR_INVALID_ARGUMENT;
	}
	return guard(&db->err, [&] {
		db->db.add_database(shard->db);
		return XC_OK;
	});
}

const char *xc_db_error(const xc_db *db)
{
	return db ? db->err.c_str() : "";
}

xc_status xc_db_close(xc_db *db)
{
	if (!db)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		db->db.close();
		return XC_OK;
	});
}

void xc_db_destroy(xc_db *db)
{
	/* Destructors of a WritableDatabase may commit and throw; nothing may
	 * escape into C. */
	try {
		delete db;
	} catch (...) {
	}
}

xc_status xc_db_reopen(xc_db *db, int *changed)
{
	if (!db)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		bool c = db->db.reopen();
		if (changed)
			*changed = c ? 1 : 0;
		return XC_OK;
	});
}

xc_status xc_db_doccount(xc_db *db, uint32_t *count)
{
	if (!db || !count)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		*count = db->db.get_doccount();
		return XC_OK;
	});
}

xc_status xc_db_lastdocid(xc_db *db, xc_docid *docid)
{
	if (!db || !docid)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		*docid = db->db.get_lastdocid();
		return XC_OK;
	});
}

xc_status xc_db_termfreq(xc_db *db, const char *term, size_t len, uint32_t *freq)
{
	if (!db || !term || !freq)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		*freq = db->db.get_termfreq(std::string(term, len));
		return XC_OK;
	});
}

xc_status xc_db_get_metadata(xc_db *db, const char *key, char **val, size_t *len)
{
	if (!db || !key || !*key || !val)
		return XC_ERR_INVALID_ARGUMENT;
	*val = nullptr;
	return guard(&db->err, [&] {
		std::string v = db->db.get_metadata(key);
		if (v.empty())
			return XC_NOT_FOUND;
		dup_to(v, val, len);
		return XC_OK;
	});
}

xc_status xc_db_set_metadata(xc_db *db, const char *key, const char *val, size_t len)
{
	if (!db || !key || !*key || (!val && len))
		return XC_ERR_INVALID_ARGUMENT;
	if (!need_writable(db))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		db->wdb.set_metadata(key, std::string(val ? val : "", len));
		return XC_OK;
	});
}

xc_status xc_db_get_document(xc_db *db, xc_docid docid, xc_doc **out)
{
	if (!db || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&db->err, [&] {
		std::unique_ptr<xc_doc> d(new xc_doc);
		d->doc = db->db.get_document(docid);
		*out = d.release();
		return XC_OK;
	});
}

xc_status xc_db_find_term(xc_db *db, const char *term, size_t len, xc_docid *docid)
{
	if (!db || !term || !docid)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		std::string t(term, len);
		Xapian::PostingIterator p = db->db.postlist_begin(t);
		if (p == db->db.postlist_end(t))
			return XC_NOT_FOUND;
		*docid = *p;
		return XC_OK;
	});
}

xc_status xc_db_postlist(xc_db *db, const char *term, size_t len, xc_postiter **out)
{
	if (!db || !term || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&db->err, [&] {
		std::unique_ptr<xc_postiter> it(new xc_postiter);
		std::string t(term, len);
		it->it = db->db.postlist_begin(t);
		it->end = db->db.postlist_end(t);
		*out = it.release();
		return XC_OK;
	});
}

xc_status xc_db_allterms(xc_db *db, const char *prefix, xc_termiter **out)
{
	if (!db || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&db->err, [&] {
		std::unique_ptr<xc_termiter> it(new xc_termiter);
		std::string p(prefix ? prefix : "");
		it->it = db->db.allterms_begin(p);
		it->end = db->db.allterms_end(p);
		*out = it.release();
		return XC_OK;
	});
}

xc_status xc_db_positions(xc_db *db, xc_docid docid, const char *term, size_t len, uint32_t **pos, size_t *n)
{
	if (!db || !term || !pos || !n)
		return XC_ERR_INVALID_ARGUMENT;
	*pos = nullptr;
	*n = 0;
	return guard(&db->err, [&] {
		std::vector<uint32_t> v;
		std::string t(term, len);
		for (auto p = db->db.positionlist_begin(docid, t); p != db->db.positionlist_end(docid, t); ++p)
			v.push_back(*p);
		if (v.empty())
			return XC_OK;
		uint32_t *a = static_cast<uint32_t *>(std::malloc(v.size() * sizeof(uint32_t)));
		if (!a)
			throw std::bad_alloc();
		std::copy(v.begin(), v.end(), a);
		*pos = a;
		*n = v.size();
		return XC_OK;
	});
}

xc_status xc_db_metadata_keys(xc_db *db, const char *prefix, xc_termiter **out)
{
	if (!db || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&db->err, [&] {
		/* Metadata keys have no frequencies: taken as a snapshot. */
		std::unique_ptr<xc_termiter> it(new xc_termiter);
		std::string p(prefix ? prefix : "");
		it->snapshot = true;
		for (auto k = db->db.metadata_keys_begin(p); k != db->db.metadata_keys_end(p); ++k)
			it->items.emplace_back(*k, 0);
		*out = it.release();
		return XC_OK;
	});
}

xc_status xc_db_value_bounds(xc_db *db, xc_valueno slot, char **lo, size_t *lolen, char **hi, size_t *hilen)
{
	if (!db || !lo || !hi)
		return XC_ERR_INVALID_ARGUMENT;
	*lo = *hi = nullptr;
	return guard(&db->err, [&] {
		std::string l = db->db.get_value_lower_bound(slot);
		std::string h = db->db.get_value_upper_bound(slot);
		if (h.empty())
			return XC_NOT_FOUND;
		char *a = dup(l);
		char *b;
		try {
			b = dup(h);
		} catch (...) {
			std::free(a);
			throw;
		}
		*lo = a;
		*hi = b;
		if (lolen)
			*lolen = l.size();
		if (hilen)
			*hilen = h.size();
		return XC_OK;
	});
}

xc_status xc_db_add_document(xc_db *db, xc_doc *doc, xc_docid *docid)
{
	if (!db || !doc)
		return XC_ERR_INVALID_ARGUMENT;
	if (!need_writable(db))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		Xapian::docid id = db->wdb.add_document(doc->doc);
		if (docid)
			*docid = id;
		return XC_OK;
	});
}

xc_status xc_db_replace_document(xc_db *db, xc_docid docid, xc_doc *doc)
{
	if (!db || !doc || docid == 0)
		return XC_ERR_INVALID_ARGUMENT;
	if (!need_writable(db))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		db->wdb.replace_document(docid, doc->doc);
		return XC_OK;
	});
}

xc_status xc_db_replace_document_by_term(xc_db *db, const char *term, xc_doc *doc, xc_docid *docid)
{
	if (!db || !term || !*term || !doc)
		return XC_ERR_INVALID_ARGUMENT;
	if (!need_writable(db))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		Xapian::docid id = db->wdb.replace_document(term, doc->doc);
		if (docid)
			*docid = id;
		return XC_OK;
	});
}

xc_status xc_db_delete_document(xc_db *db, xc_docid docid)
{
	if (!db || docid == 0)
		return XC_ERR_INVALID_ARGUMENT;
	if (!need_writable(db))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		db->wdb.delete_document(docid);
		return XC_OK;
	});
}

xc_status xc_db_delete_document_by_term(xc_db *db, const char *term)
{
	if (!db || !term || !*term)
		return XC_ERR_INVALID_ARGUMENT;
	if (!need_writable(db))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		db->wdb.delete_document(term);
		return XC_OK;
	});
}

xc_status xc_db_commit(xc_db *db)
{
	if (!db)
		return XC_ERR_INVALID_ARGUMENT;
	if (!need_writable(db))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		db->wdb.commit();
		return XC_OK;
	});
}

xc_status xc_db_begin_transaction(xc_db *db, int flushed)
{
	if (!db)
		return XC_ERR_INVALID_ARGUMENT;
	if (!need_writable(db))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		db->wdb.begin_transaction(flushed != 0);
		return XC_OK;
	});
}

xc_status xc_db_commit_transaction(xc_db *db)
{
	if (!db)
		return XC_ERR_INVALID_ARGUMENT;
	if (!need_writable(db))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		db->wdb.commit_transaction();
		return XC_OK;
	});
}

xc_status xc_db_cancel_transaction(xc_db *db)
{
	if (!db)
		return XC_ERR_INVALID_ARGUMENT;
	if (!need_writable(db))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		db->wdb.cancel_transaction();
		return XC_OK;
	});
}

xc_status xc_db_compact(xc_db *db, const char *dest, unsigned flags)
{
	if (!db || !dest || (flags & ~unsigned(XC_COMPACT_MULTIPASS)))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&db->err, [&] {
		db->db.compact(dest, (flags & XC_COMPACT_MULTIPASS) ? Xapian::DBCOMPACT_MULTIPASS : 0);
		return XC_OK;
	});
}

}
