#include "dl.h"

#include <dlfcn.h>
#include <stdio.h>

int qr_dl_load(const char *soname, const char *const *names, size_t n, void **syms, char *why, size_t whylen)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, whylen, "cannot load %s: %s", soname, dlerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!(syms[i] = dlsym(h, names[i]))) {
			snprintf(why, whylen, "%s has no %s", soname, names[i]);
			return -1;
		}
	}
	return 0;
}
