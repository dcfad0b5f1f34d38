/* The module is header-only (`liqwatch_prefetch` is static inline); this file gives the target a
 * source, as the package manager requires. */
#include "prefetch.h"
