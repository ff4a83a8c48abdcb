/* Stemmers and the term generator that turns text into terms. */
#include "internal.h"

using namespace xc_internal;

extern "C" {

xc_status xc_stem_create(const char *lang, xc_stem **out, char **errmsg)
{
	if (errmsg)
		*errmsg = nullptr;
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	std::string err;
	xc_status st = guard(&err, [&] {
		std::unique_ptr<xc_stem> s(new xc_stem);
		s->stem = Xapian::Stem(lang ? lang : "none");
		*out = s.release();
		return XC_OK;
	});
	if (st != XC_OK)
		set_errmsg(errmsg, err);
	return st;
}

void xc_stem_destroy(xc_stem *stem)
{
	delete stem;
}

xc_status xc_termgen_create(xc_termgen **out)
{
	if (!out)
		return XC_ERR_INVALID_ARGUMENT;
	*out = nullptr;
	return guard(nullptr, [&] {
		*out = new xc_termgen;
		return XC_OK;
	});
}

const char *xc_termgen_error(const xc_termgen *tg)
{
	return tg ? tg->err.c_str() : "";
}

void xc_termgen_destroy(xc_termgen *tg)
{
	delete tg;
}

xc_status xc_termgen_set_stemmer(xc_termgen *tg, const xc_stem *stem)
{
	if (!tg)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&tg->err, [&] {
		tg->tg.set_stemmer(stem ? stem->stem : Xapian::Stem());
		return XC_OK;
	});
}

xc_status xc_termgen_set_stemming_strategy(xc_termgen *tg, int strategy)
{
	if (!tg || strategy < XC_STEM_NONE || strategy > XC_STEM_SOME_FULL_POS)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&tg->err, [&] {
		tg->tg.set_stemming_strategy(static_cast<Xapian::TermGenerator::stem_strategy>(strategy));
		return XC_OK;
	});
}

xc_status xc_termgen_set_flags(xc_termgen *tg, int flags)
{
	if (!tg)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&tg->err, [&] {
		tg->tg.set_flags(static_cast<Xapian::TermGenerator::flags>(flags));
		return XC_OK;
	});
}

xc_status xc_termgen_set_document(xc_termgen *tg, xc_doc *doc)
{
	if (!tg || !doc)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&tg->err, [&] {
		tg->tg.set_document(doc->doc);
		return XC_OK;
	});
}

xc_status xc_termgen_index_text(xc_termgen *tg, const char *text, size_t len, uint32_t wdf_inc, const char *prefix)
{
	if (!tg || (!text && len))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&tg->err, [&] {
		tg->tg.index_text(Xapian::Utf8Iterator(text ? text : "", len), wdf_inc, prefix ? prefix : "");
		return XC_OK;
	});
}

xc_status xc_termgen_index_text_without_positions(xc_termgen *tg, const char *text, size_t len, uint32_t wdf_inc,
						 const char *prefix)
{
	if (!tg || (!text && len))
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&tg->err, [&] {
		tg->tg.index_text_without_positions(Xapian::Utf8Iterator(text ? text : "", len), wdf_inc,
						    prefix ? prefix : "");
		return XC_OK;
	});
}

xc_status xc_termgen_increase_termpos(xc_termgen *tg, uint32_t delta)
{
	if (!tg)
		return XC_ERR_INVALID_ARGUMENT;
	return guard(&tg->err, [&] {
		tg->tg.increase_termpos(delta);
		return XC_OK;
	});
}

}
