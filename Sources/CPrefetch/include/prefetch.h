#ifndef LIQWATCH_PREFETCH_H
#define LIQWATCH_PREFETCH_H

/* A hint that memory will be read soon: the load starts now and does not block, so a table slot
 * needed a few positions later is in the cache by then. Swift has no spelling of it. */
static inline void liqwatch_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
