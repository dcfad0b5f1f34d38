/* The module is header-only (`liqwatch_divide_wide` is static inline); this file gives the target
 * a source, as the package manager requires. */
#include "wide_division.h"
