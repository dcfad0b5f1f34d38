/* ISA-L's igzip inflate (Debian's libisal-dev), for reading .gz recordings streamed: about three
   times zlib's speed on a recording, with the same bounded memory. The state is large (about
   87 KB of tables) and holds C arrays Swift would import as huge tuples, so it is kept on the
   heap and reached through these helpers only. */
#include <isa-l/igzip_lib.h>
#include <isa-l/crc.h>
#include <stdint.h>
#include <stdlib.h>

/* A state that reads gzip members: their headers, and their trailers' CRC-32 and length checked. */
static inline struct inflate_state *cisal_new(void) {
    struct inflate_state *state = malloc(sizeof(struct inflate_state));
    if (state) {
        isal_inflate_init(state);
        state->crc_flag = ISAL_GZIP;
    }
    return state;
}

static inline void cisal_free(struct inflate_state *state) { free(state); }

/* Ready for the next member of a multi-member file; the input position is kept. */
static inline void cisal_next_member(struct inflate_state *state) {
    isal_inflate_reset(state);
    state->crc_flag = ISAL_GZIP;
}

static inline void cisal_set_input(struct inflate_state *state, uint8_t *bytes, uint32_t count) {
    state->next_in = bytes;
    state->avail_in = count;
}

static inline uint32_t cisal_input_left(const struct inflate_state *state) { return state->avail_in; }

/* The next input byte `offset` on (the caller checks `offset < cisal_input_left`). */
static inline uint8_t cisal_input_byte(const struct inflate_state *state, uint32_t offset) { return state->next_in[offset]; }

static inline void cisal_set_output(struct inflate_state *state, uint8_t *bytes, uint32_t count) {
    state->next_out = bytes;
    state->avail_out = count;
}

static inline uint32_t cisal_output_left(const struct inflate_state *state) { return state->avail_out; }

/* The member being read has ended, its trailer checked. */
static inline int cisal_member_finished(const struct inflate_state *state) {
    return state->block_state == ISAL_BLOCK_FINISH;
}

static inline int cisal_inflate(struct inflate_state *state) { return isal_inflate(state); }

static inline int cisal_ok(void) { return ISAL_DECOMP_OK; }
static inline int cisal_incorrect_checksum(void) { return ISAL_INCORRECT_CHECKSUM; }

/* The CRC-32 of gzip and zlib (reflected IEEE 802.3), folded with carry-less multiplications:
   OKX's book checksum runs over about a kilobyte of level texts per message. `crc` is the
   CRC of the bytes before (0 to start). */
static inline uint32_t cisal_crc32(uint32_t crc, const uint8_t *bytes, uint64_t count) {
    return crc32_gzip_refl(crc, bytes, count);
}
