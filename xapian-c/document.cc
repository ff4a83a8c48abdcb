/* Documents: data, terms, postings and values. */
#include "internal.h"

using namespace xc_internal;

extern "C" {

xc_status xc_doc_create(xc_doc **out)
{
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		*out = new xc_doc;
		return XC_OK;
	});
}

const char *xc_doc_error(const xc_doc *doc)
{
	return doc ? doc->err.c_str() : "";
}

void xc_doc_destroy(xc_doc *doc)
{
	delete doc;
}

xc_status xc_doc_get_data(xc_doc *doc, char **data, size_t *len)
{
	if (!doc || !data)
		return XC_ERR_INVALID_ARGUMENT;
	*data = nullptr;
	return guard(&doc->err, [&] {
		dup_to(doc->doc.get_data(), data, len);
		return XC_OK;
	});
}

xc_status xc_doc_set_data(xc_doc *doc, const char *data, size_t len)
{
	if (!doc || (!data && len))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&doc->err, [&] {
		doc->doc.set_data(std::string(data ? data : "", len));
		return XC_OK;
	});
}

xc_status xc_doc_add_term(xc_doc *doc, const char *term, size_t len, uint32_t wdf_inc)
{
	if (!doc || !term || !len)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&doc->err, [&] {
		doc->doc.add_term(std::string(term, len), wdf_inc);
		return XC_OK;
	});
}

xc_status xc_doc_add_boolean_term(xc_doc *doc, const char *term, size_t len)
{
	if (!doc || !term || !len)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&doc->err, [&] {
		doc->doc.add_boolean_term(std::string(term, len));
		return XC_OK;
	});
}

xc_status xc_doc_add_posting(xc_doc *doc, const char *term, size_t len, uint32_t pos, uint32_t wdf_inc)
{
	if (!doc || !term || !len)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&doc->err, [&] {
		doc->doc.add_posting(std::string(term, len), pos, wdf_inc);
		return XC_OK;
	});
}

xc_status xc_doc_remove_term(xc_doc *doc, const char *term, size_t len)
{
	if (!doc || !term || !len)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&doc->err, [&] {
		try {
			doc->doc.remove_term(std::string(term, len));
		} catch (const Xapian::InvalidArgumentError &) {
			/* Xapian's way of saying the term is not there. */
			return XC_NOT_FOUND;
		}
		return XC_OK;
	});
}

xc_status xc_doc_clear_terms(xc_doc *doc)
{
	if (!doc)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&doc->err, [&] {
		doc->doc.clear_terms();
		return XC_OK;
	});
}

xc_status xc_doc_termlist(xc_doc *doc, xc_termiter **out)
{
	if (!doc || !out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(&doc->err, [&] {
		std::unique_ptr<xc_termiter> it(new xc_termiter);
		it->wdf = true;
		it->it = doc->doc.termlist_begin();
		it->end = doc->doc.termlist_end();
		*out = it.release();
		return XC_OK;
	});
}

xc_status xc_doc_set_value(xc_doc *doc, xc_valueno slot, const char *val, size_t len)
{
	if (!doc || (!val && len))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&doc->err, [&] {
		doc->doc.add_value(slot, std::string(val ? val : "", len));
		return XC_OK;
	});
}

xc_status xc_doc_get_value(xc_doc *doc, xc_valueno slot, char **val, size_t *len)
{
	if (!doc || !val)
		return XC_ERR_INVALID_ARGUMENT;
	*val = nullptr;
	return guard(&doc->err, [&] {
		std::string v = doc->doc.get_value(slot);
		if (v.empty())
			return XC_NOT_FOUND;
		dup_to(v, val, len);
		return XC_OK;
	});
}

xc_status xc_doc_docid(xc_doc *doc, xc_docid *docid)
{
	if (!doc || !docid)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&doc->err, [&] {
		*docid = doc->doc.get_docid();
		return XC_OK;
	});
}

}
