#ifndef LIQWATCH_WIDE_DIVISION_H
#define LIQWATCH_WIDE_DIVISION_H

#include <stdint.h>

/* (high · 2⁶⁴ + low) ÷ divisor, for high < divisor (the quotient then fits 64 bits): the quotient,
 * and the remainder through `remainder`. On x86-64 this is the one `divq` instruction. Swift's
 * `UInt64.dividingFullWidth` compiles to a call of the runtime's general 128-bit division
 * (`__udivti3`), whose call and checks cost more than the division itself; every `Fixed` product
 * divides by 10¹⁸ this way. The caller guarantees high < divisor (a larger high would trap). */
static inline uint64_t liqwatch_divide_wide(uint64_t high, uint64_t low, uint64_t divisor, uint64_t *remainder) {
#if defined(__x86_64__)
    uint64_t quotient, rest;
    __asm__("divq %[divisor]" : "=a"(quotient), "=d"(rest) : [divisor] "rm"(divisor), "a"(low), "d"(high) : "cc");
    *remainder = rest;
    return quotient;
#else
    unsigned __int128 dividend = ((unsigned __int128)high << 64) | low;
    *remainder = (uint64_t)(dividend % divisor);
    return (uint64_t)(dividend / divisor);
#endif
}

#endif
