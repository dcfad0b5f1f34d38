// simdjson decode-only reference for liqwatch's Binance decoder.
//
// One thread. Reads a timestamped Binance recording (`<receive time ns> <raw JSON frame>` per line,
// unpacked), then decodes every frame with simdjson's On-Demand API the way liqwatch's
// BinanceFrameDecoder must:
//   - combined-stream frames: "stream" and "data";
//   - depthUpdate: E, s, U, u, pu and every level of "b" and "a" (price and size strings parsed
//     exactly into 8-decimal fixed point, no floating point);
//   - trade / aggTrade: s, p, q, E;  markPriceUpdate: s, p, E (and i, r, T, which liqwatch reads);
//   - forceOrder: E and the "o" object's s, S, q, p, ap;
//   - bookTicker (told by a stream name ending in "@bookTicker", as liqwatch does): only checked
//     to be a well-formed object (its members are walked, their values skipped), not decoded;
//   - REST snapshot lines ({"lastUpdateId":...}): lastUpdateId and every level of bids and asks.
// Everything read is summed into a checksum so nothing is optimised away.
//
// Build:  g++ -O3 -march=native -std=c++17 -o simdjson_decode simdjson_decode.cpp -lsimdjson
// Run:    ./simdjson_decode FILE [N]      (N = runs, best of N is reported; default 10)
//
// Checksum (all sums wrap modulo 2^64):
//   levels           = number of depth levels: "b" + "a" of depthUpdate, "bids" + "asks" of snapshots
//   level_price_sum  = sum of those levels' prices in units of 1e-8
//   level_size_sum   = sum of those levels' sizes in units of 1e-8
//   checksum         = level_price_sum + level_size_sum + every receive-time prefix + every integer
//                      field read (E, U, u, pu, lastUpdateId, T of markPriceUpdate) + every other
//                      fixed-point field read (p, q, ap, i, r; unit 1e-8)
// Independent check: Benchmarks/reference/verify_checksum.py FILE recomputes all four with
// Python's json + decimal. The level count alone, as a one-liner:
//   python3 -c "import json,sys;print(sum(len(d[k]) for l in open(sys.argv[1],'rb') for f in [json.loads(l.split(b' ',1)[1])] for d in [f.get('data',f)] for k in ('b','a','bids','asks') if isinstance(d.get(k),list)))" FILE
// (bookTicker's "b"/"a" are strings, so the isinstance test leaves them out.)

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace simdjson;

#define LW_STRINGIFY_(x) #x
#define LW_STRINGIFY(x) LW_STRINGIFY_(x)

namespace {

constexpr uint64_t kPow10[9] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull,
                                1000000ull, 10000000ull, 100000000ull};

// Exact decimal string -> fixed point with 8 places. `p` points at the first byte of a JSON
// string's content (just after the opening quote); the string must end at the next '"'.
// Accepts [-]digits[.digits] with at least one integer digit, at most 8 fraction digits and at
// most 10 integer digits (so the scaled value fits in int64 without checks). Anything else
// (exponents, escapes, empty, too long) is rejected, as an exact parser must.
inline bool parse_fixed8(const uint8_t *p, int64_t &out) {
  bool negative = false;
  if (*p == '-') { negative = true; ++p; }
  uint64_t value = 0;
  int int_digits = 0;
  while (static_cast<uint8_t>(*p - '0') < 10) { value = value * 10 + (*p - '0'); ++p; ++int_digits; }
  int frac_digits = 0;
  if (*p == '.') {
    ++p;
    while (static_cast<uint8_t>(*p - '0') < 10) { value = value * 10 + (*p - '0'); ++p; ++frac_digits; }
    if (frac_digits == 0) return false;
  }
  if (*p != '"' || int_digits == 0 || int_digits > 10 || frac_digits > 8) return false;
  int64_t scaled = static_cast<int64_t>(value * kPow10[8 - frac_digits]);
  out = negative ? -scaled : scaled;
  return true;
}

// Key equality on a raw (unescaped-free) key: the key's bytes then its closing quote.
template <size_t N>
inline bool key_is(const char *raw, const char (&lit)[N]) {
  return std::memcmp(raw, lit, N - 1) == 0 && raw[N - 1] == '"';
}

struct Stats {
  uint64_t lines = 0, depth = 0, book_ticker = 0, trade = 0, mark = 0, force_order = 0,
           snapshot = 0, other = 0, malformed = 0;
  uint64_t levels = 0, level_price_sum = 0, level_size_sum = 0, checksum = 0;
};

inline bool read_fixed(ondemand::value v, int64_t &out) {
  ondemand::raw_json_string s;
  if (v.get_raw_json_string().get(s)) return false;
  return parse_fixed8(reinterpret_cast<const uint8_t *>(s.raw()), out);
}

inline bool read_int(ondemand::value v, Stats &st) {
  int64_t x;
  if (v.get_int64().get(x)) return false;
  st.checksum += static_cast<uint64_t>(x);
  return true;
}

inline bool read_fixed_into_checksum(ondemand::value v, Stats &st) {
  int64_t x;
  if (!read_fixed(v, x)) return false;
  st.checksum += static_cast<uint64_t>(x);
  return true;
}

// [["price","size"], ...]
inline bool read_levels(ondemand::value v, Stats &st) {
  ondemand::array levels;
  if (v.get_array().get(levels)) return false;
  for (auto level_result : levels) {
    ondemand::array pair;
    if (level_result.get_array().get(pair)) return false;
    int64_t price = 0, size = 0;
    int index = 0;
    for (auto element : pair) {
      ondemand::value ev;
      if (std::move(element).get(ev)) return false;
      if (index == 0) { if (!read_fixed(ev, price) || price <= 0) return false; }
      else if (index == 1) { if (!read_fixed(ev, size) || size < 0) return false; }
      else return false;
      ++index;
    }
    if (index != 2) return false;
    st.levels++;
    st.level_price_sum += static_cast<uint64_t>(price);
    st.level_size_sum += static_cast<uint64_t>(size);
  }
  return true;
}

enum class Kind { none, depth, book_ticker, trade, mark, force_order, other };

inline Kind kind_of(const char *raw) {
  if (key_is(raw, "depthUpdate")) return Kind::depth;
  if (key_is(raw, "bookTicker")) return Kind::book_ticker;
  if (key_is(raw, "trade") || key_is(raw, "aggTrade")) return Kind::trade;
  if (key_is(raw, "markPriceUpdate")) return Kind::mark;
  if (key_is(raw, "forceOrder")) return Kind::force_order;
  return Kind::other;
}

// forceOrder's "o": s, S, q, p, ap.
inline bool read_order(ondemand::value v, Stats &st) {
  ondemand::object order;
  if (v.get_object().get(order)) return false;
  for (auto field_result : order) {
    ondemand::field field;
    if (std::move(field_result).get(field)) return false;
    const char *k = field.key().raw();
    if (key_is(k, "s") || key_is(k, "S")) {
      ondemand::raw_json_string s;
      if (field.value().get_raw_json_string().get(s)) return false;
    } else if (key_is(k, "q") || key_is(k, "p") || key_is(k, "ap")) {
      if (!read_fixed_into_checksum(field.value(), st)) return false;
    }
  }
  return true;
}

// A stream payload (the "data" object, or a raw stream frame's own fields).
// `field` is one member; `kind` is the event type once seen.
inline bool read_payload_field(ondemand::field &field, Kind &kind, Stats &st) {
  // A raw (uncombined) bookTicker: like liqwatch, the members after "e" are skipped, not read.
  if (kind == Kind::book_ticker) return true;
  const char *k = field.key().raw();
  ondemand::value v = field.value();
  switch (k[0]) {
    case 'e':
      if (k[1] == '"') {
        ondemand::raw_json_string s;
        if (v.get_raw_json_string().get(s)) return false;
        kind = kind_of(s.raw());
        return true;
      }
      return true;
    case 's':
      if (k[1] == '"') { ondemand::raw_json_string s; return !v.get_raw_json_string().get(s); }
      return true;
    case 'E': case 'U': case 'u':
      if (k[1] == '"') return read_int(v, st);
      return true;
    case 'p':
      if (k[1] == '"') return read_fixed_into_checksum(v, st);
      if (k[1] == 'u' && k[2] == '"') return read_int(v, st);
      return true;
    case 'q':
      if (k[1] == '"') return read_fixed_into_checksum(v, st);
      return true;
    case 'i': case 'r':  // markPriceUpdate's index price and funding rate
      if (k[1] == '"' && kind == Kind::mark) return read_fixed_into_checksum(v, st);
      return true;
    case 'T':
      if (k[1] == '"' && kind == Kind::mark) return read_int(v, st);  // next funding time
      return true;
    case 'b': case 'a':
      if (k[1] == '"') {
        ondemand::json_type t;
        if (v.type().get(t)) return false;
        if (t == ondemand::json_type::array) return read_levels(v, st);
        return true;  // aggTrade's "a" (an id): not used, skipped
      }
      if (k[0] == 'a' && k[1] == 'p' && k[2] == '"') return read_fixed_into_checksum(v, st);
      return true;
    case 'o':
      if (k[1] == '"') {
        ondemand::json_type t;
        if (v.type().get(t)) return false;
        if (t == ondemand::json_type::object) return read_order(v, st);
      }
      return true;
    default:
      return true;  // unused member: skipped by On-Demand
  }
}

inline void count_kind(Kind kind, Stats &st) {
  switch (kind) {
    case Kind::depth: st.depth++; break;
    case Kind::book_ticker: st.book_ticker++; break;
    case Kind::trade: st.trade++; break;
    case Kind::mark: st.mark++; break;
    case Kind::force_order: st.force_order++; break;
    default: st.other++; break;
  }
}

inline bool decode_frame(ondemand::parser &parser, const char *frame, size_t len, size_t capacity,
                         Stats &st) {
  ondemand::document doc;
  if (parser.iterate(padded_string_view(frame, len, capacity)).get(doc)) return false;
  ondemand::object top;
  if (doc.get_object().get(top)) return false;
  bool is_book_ticker_stream = false;
  bool saw_snapshot = false;
  Kind kind = Kind::none;
  for (auto field_result : top) {
    ondemand::field field;
    if (std::move(field_result).get(field)) return false;
    const char *k = field.key().raw();
    if (key_is(k, "stream")) {
      std::string_view name;
      if (field.value().get_string().get(name)) return false;
      static constexpr std::string_view suffix = "@bookTicker";
      is_book_ticker_stream = name.size() >= suffix.size() &&
                              name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    } else if (key_is(k, "data")) {
      ondemand::object data;
      if (field.value().get_object().get(data)) return false;
      if (is_book_ticker_stream) {
        // liqwatch only checks a book ticker is well-formed: walk its members, skip the values.
        for (auto member : data) {
          ondemand::field f;
          if (std::move(member).get(f)) return false;
        }
        kind = Kind::book_ticker;
      } else {
        for (auto member : data) {
          ondemand::field f;
          if (std::move(member).get(f)) return false;
          if (!read_payload_field(f, kind, st)) return false;
        }
      }
    } else if (key_is(k, "lastUpdateId")) {
      saw_snapshot = true;
      if (!read_int(field.value(), st)) return false;
    } else if (key_is(k, "bids") || key_is(k, "asks")) {
      if (!read_levels(field.value(), st)) return false;
    } else {
      // A snapshot's "E", or a raw (uncombined) stream frame: its members are the payload's.
      if (!read_payload_field(field, kind, st)) return false;
    }
  }
  // Nothing may follow the object: simdjson 3.0 has no public document::at_end(), but
  // current_location() reports OUT_OF_BOUNDS once the whole document was consumed.
  const char *after = nullptr;
  if (doc.current_location().get(after) != OUT_OF_BOUNDS) return false;
  if (saw_snapshot && kind == Kind::none) st.snapshot++;
  else count_kind(kind, st);
  return true;
}

// Decodes every line of buf[0..size) (buf has SIMDJSON_PADDING readable bytes after size).
Stats decode_all(ondemand::parser &parser, const char *buf, size_t size) {
  Stats st;
  const char *p = buf;
  const char *end = buf + size;
  const char *cap_end = end + SIMDJSON_PADDING;
  while (p < end) {
    const char *nl = static_cast<const char *>(std::memchr(p, '\n', end - p));
    const char *line_end = nl ? nl : end;
    const char *next = nl ? nl + 1 : end;
    if (line_end > p && line_end[-1] == '\r') --line_end;
    if (line_end == p) { p = next; continue; }  // blank line
    st.lines++;
    // Receive-time prefix: digits then one space.
    const char *q = p;
    uint64_t receive = 0;
    while (q < line_end && static_cast<uint8_t>(*q - '0') < 10) { receive = receive * 10 + (*q - '0'); ++q; }
    if (q == p || q == line_end || *q != ' ') { st.malformed++; p = next; continue; }
    st.checksum += receive;
    ++q;
    if (!decode_frame(parser, q, line_end - q, cap_end - q, st)) st.malformed++;
    p = next;
  }
  st.checksum += st.level_price_sum + st.level_size_sum;
  return st;
}

bool same(const Stats &a, const Stats &b) {
  return a.lines == b.lines && a.depth == b.depth && a.book_ticker == b.book_ticker &&
         a.trade == b.trade && a.mark == b.mark && a.force_order == b.force_order &&
         a.snapshot == b.snapshot && a.other == b.other && a.malformed == b.malformed &&
         a.levels == b.levels && a.level_price_sum == b.level_price_sum &&
         a.level_size_sum == b.level_size_sum && a.checksum == b.checksum;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [RUNS]\n", argv[0]);
    return 2;
  }
  const char *path = argv[1];
  int runs = argc > 2 ? std::atoi(argv[2]) : 10;
  if (runs < 1) runs = 1;

  int fd = open(path, O_RDONLY);
  if (fd < 0) { std::perror(path); return 1; }
  struct stat info;
  if (fstat(fd, &info) != 0) { std::perror("fstat"); return 1; }
  const size_t size = static_cast<size_t>(info.st_size);
  // The whole file plus simdjson's padding, so every line can be parsed in place.
  std::vector<char> storage(size + SIMDJSON_PADDING, '\0');
  char *buf = storage.data();

  ondemand::parser parser;
  Stats first{};
  double best_decode = 1e30, best_read_decode = 1e30, worst_decode = 0;
  using clock = std::chrono::steady_clock;
  for (int run = 0; run < runs; ++run) {
    auto t0 = clock::now();
    size_t got = 0;
    while (got < size) {
      ssize_t n = pread(fd, buf + got, size - got, static_cast<off_t>(got));
      if (n <= 0) { std::perror("read"); return 1; }
      got += static_cast<size_t>(n);
    }
    auto t1 = clock::now();
    Stats st = decode_all(parser, buf, size);
    auto t2 = clock::now();
    double decode = std::chrono::duration<double>(t2 - t1).count();
    double read_decode = std::chrono::duration<double>(t2 - t0).count();
    best_decode = std::min(best_decode, decode);
    worst_decode = std::max(worst_decode, decode);
    best_read_decode = std::min(best_read_decode, read_decode);
    if (run == 0) first = st;
    else if (!same(first, st)) { std::fprintf(stderr, "checksum differs between runs\n"); return 1; }
  }
  close(fd);

  const double mb = static_cast<double>(size) / 1e6;
  std::printf("simdjson %s, implementation %s\n", LW_STRINGIFY(SIMDJSON_VERSION),
              simdjson::get_active_implementation()->name().c_str());
  std::printf("bytes: %zu\n", size);
  std::printf("lines: %" PRIu64 "\n", first.lines);
  std::printf("frames: depthUpdate %" PRIu64 ", bookTicker %" PRIu64 ", trade/aggTrade %" PRIu64
              ", markPriceUpdate %" PRIu64 ", forceOrder %" PRIu64 ", snapshot %" PRIu64
              ", other %" PRIu64 ", malformed %" PRIu64 "\n",
              first.depth, first.book_ticker, first.trade, first.mark, first.force_order,
              first.snapshot, first.other, first.malformed);
  std::printf("levels: %" PRIu64 "\n", first.levels);
  std::printf("level_price_sum: %" PRIu64 "\n", first.level_price_sum);
  std::printf("level_size_sum: %" PRIu64 "\n", first.level_size_sum);
  std::printf("checksum: %" PRIu64 "\n", first.checksum);
  std::printf("runs: %d (decode worst %.4f s)\n", runs, worst_decode);
  std::printf("reference_simdjson_decode_seconds: %.4f s\n", best_decode);
  std::printf("reference_simdjson_decode_MB_per_second: %.1f MB/s\n", mb / best_decode);
  std::printf("reference_simdjson_read_and_decode_seconds: %.4f s\n", best_read_decode);
  std::printf("reference_simdjson_read_and_decode_MB_per_second: %.1f MB/s\n", mb / best_read_decode);
  return first.malformed == 0 ? 0 : 3;
}
