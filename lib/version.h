/* quire's version, for `quire version` and what quire writes about itself
 * (a bag's Bag-Software-Agent). */
#ifndef QR_VERSION_H
#define QR_VERSION_H

#define QR_VERSION "0.1.0"

#endif
