// bench/simdjson_shim: simdjson's DOM parser behind a C call, for
// bench/jsonparse only (quire itself has no C++ outside xapian-c/).
#include <simdjson.h>

#include <cstddef>

extern "C" {
#include "parsers.h"
}

namespace {
simdjson::dom::parser *parser;
}

extern "C" int bench_simdjson_parse(const char *buf, size_t len)
{
	try {
		if (!parser)
			parser = new simdjson::dom::parser();
		// The caller keeps SIMDJSON_PADDING readable bytes after buf+len
		// (the next lines of the file, or padding at its end): no copy.
		simdjson::dom::element doc;
		auto err = parser->parse(buf, len, false).get(doc);
		return err ? -1 : 0;
	} catch (...) {
		return -1;
	}
}

extern "C" size_t bench_simdjson_padding(void)
{
	return simdjson::SIMDJSON_PADDING;
}
