// A JSON parser: a recursive-descent reader of RFC 8259's grammar (strings with the two-character
// escapes and \uXXXX below 0x80) that builds a document of polymorphic heap values (objects with
// their members in order, arrays, strings, numbers, literals), as the JSON benchmark of
// object-oriented suites does. A run parses one generated document (kRecords records of nested
// objects, arrays, strings with escapes, integers, decimals, true, false and null; about 170 KB)
// kRounds times, walks every result (a checksum over every value: numbers, string lengths and
// characters, member names, sizes) and drops it. No cycles: every document is freed by counting
// the moment its root goes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "../bench_util.hpp"

namespace shapes {

template <class P>
struct Json {
  template <class T>
  using Ptr = typename P::template Ptr<T>;
  template <class T>
  using Vec = typename P::template Vec<T>;
  using String = typename P::String;

  static constexpr int kRecords = 600;
  static constexpr int kRounds = 180;

  static std::uint64_t string_sum(const String& s) {
    std::uint64_t sum = s.size();
    for (char c : s) sum = sum * 31 + static_cast<unsigned char>(c);
    return sum;
  }

  struct Value : P::template Base<Value> {
    virtual ~Value() = default;
    virtual std::uint64_t checksum() const = 0;
  };
  using ValueP = Ptr<Value>;

  struct Number final : Value {
    explicit Number(double x) : v(x) {}
    double v;
    std::uint64_t checksum() const override { return static_cast<std::uint64_t>(static_cast<std::int64_t>(v * 100)); }
  };
  struct Literal final : Value {
    explicit Literal(int k) : kind(k) {}
    int kind;  // 0 null, 1 true, 2 false
    std::uint64_t checksum() const override { return 7 + static_cast<std::uint64_t>(kind); }
  };
  struct Text final : Value {
    explicit Text(String s) : text(std::move(s)) {}
    String text;
    std::uint64_t checksum() const override { return string_sum(text); }
  };
  struct Array final : Value {
    Vec<ValueP> items;
    void trace(typename P::Tracer& t) { t(items); }
    ~Array() override {
      if constexpr (P::kByHand)
        for (Value* v : items) P::destroy(v);
    }
    std::uint64_t checksum() const override {
      std::uint64_t sum = items.size();
      for (const ValueP& v : items) sum = sum * 3 + v->checksum();
      return sum;
    }
  };
  struct Object final : Value {
    Vec<std::pair<String, ValueP>> members;
    void trace(typename P::Tracer& t) { t(members); }
    ~Object() override {
      if constexpr (P::kByHand)
        for (auto& m : members) P::destroy(m.second);
    }
    std::uint64_t checksum() const override {
      std::uint64_t sum = members.size();
      for (const auto& m : members) sum = sum * 5 + string_sum(m.first) + m.second->checksum();
      return sum;
    }
  };

  class Parser {
   public:
    explicit Parser(const std::string& in) : begin_(in.c_str()), p_(begin_), end_(begin_ + in.size()) {}

    ValueP parse() {
      ValueP v = value();
      skip_space();
      if (p_ != end_) fail("text after the document");
      return v;
    }

   private:
    [[noreturn]] void fail(const char* what) const {
      std::fprintf(stderr, "json: %s at offset %td\n", what, p_ - begin_);
      std::exit(1);
    }
    void skip_space() {
      while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }
    void expect(char c) {
      skip_space();
      if (p_ == end_ || *p_ != c) fail("unexpected character");
      ++p_;
    }
    bool consume(const char* word) {
      const char* q = p_;
      for (; *word != 0; ++word, ++q)
        if (q == end_ || *q != *word) return false;
      p_ = q;
      return true;
    }

    ValueP value() {
      skip_space();
      if (p_ == end_) fail("unexpected end");
      switch (*p_) {
        case '{': return object();
        case '[': return array();
        case '"': return P::template make<Text>(string());
        case 't':
          if (consume("true")) return P::template make<Literal>(1);
          break;
        case 'f':
          if (consume("false")) return P::template make<Literal>(2);
          break;
        case 'n':
          if (consume("null")) return P::template make<Literal>(0);
          break;
        default: return number();
      }
      fail("unknown literal");
    }

    // The elements of an object or an array up to `close`, each read by each(), commas between.
    template <class Each>
    void elements(char close, Each each) {
      ++p_;  // the opening bracket
      skip_space();
      if (p_ != end_ && *p_ == close) {
        ++p_;
        return;
      }
      for (;;) {
        each();
        skip_space();
        if (p_ == end_ || *p_ != ',') break;
        ++p_;
      }
      expect(close);
    }

    ValueP object() {
      Ptr<Object> o = P::template make<Object>();
      elements('}', [&] {
        skip_space();
        if (p_ == end_ || *p_ != '"') fail("a member name expected");
        String name = string();
        expect(':');
        ValueP v = value();
        o->members.emplace_back(std::move(name), std::move(v));
      });
      return o;
    }

    ValueP array() {
      Ptr<Array> a = P::template make<Array>();
      elements(']', [&] { a->items.push_back(value()); });
      return a;
    }

    String string() {
      ++p_;  // "
      String s;
      for (;;) {
        if (p_ == end_) fail("unterminated string");
        const char c = *p_++;
        if (c == '"') return s;
        if (c != '\\') {
          s.push_back(c);
          continue;
        }
        if (p_ == end_) fail("unterminated escape");
        switch (*p_++) {
          case '"': s.push_back('"'); break;
          case '\\': s.push_back('\\'); break;
          case '/': s.push_back('/'); break;
          case 'b': s.push_back('\b'); break;
          case 'f': s.push_back('\f'); break;
          case 'n': s.push_back('\n'); break;
          case 'r': s.push_back('\r'); break;
          case 't': s.push_back('\t'); break;
          case 'u': {
            if (end_ - p_ < 4) fail("short \\u escape");
            const unsigned long code = std::strtoul(std::string(p_, 4).c_str(), nullptr, 16);
            if (code >= 0x80) fail("\\u escape beyond ASCII");
            s.push_back(static_cast<char>(code));
            p_ += 4;
            break;
          }
          default: fail("unknown escape");
        }
      }
    }

    ValueP number() {
      char* after = nullptr;
      const double v = std::strtod(p_, &after);
      if (after == p_) fail("a value expected");
      p_ = after;
      return P::template make<Number>(v);
    }

    const char* begin_;
    const char* p_;
    const char* end_;
  };

  // The document: kRecords records, the same for every variant (a seeded generator).
  static std::string document() {
    bench::SplitMix64 rng(7);
    std::string out = "{\"generator\": \"bench/shapes/json.hpp\", \"records\": [\n";
    char buf[64];
    for (int i = 0; i < kRecords; ++i) {
      if (i) out += ",\n";
      std::snprintf(buf, sizeof buf, "%d", i);
      out += "  {\"id\": ";
      out += buf;
      out += ", \"name\": \"record \\\"";
      out += buf;
      out += "\\\" \\u0041\\n\", \"active\": ";
      out += rng.below(2) ? "true" : "false";
      std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(rng.below(100000)) / 100);
      out += ", \"price\": ";
      out += buf;
      out += ", \"tags\": [";
      const std::uint64_t tags = rng.below(6);
      for (std::uint64_t t = 0; t < tags; ++t) {
        if (t) out += ", ";
        std::snprintf(buf, sizeof buf, "\"tag-%llu\"", static_cast<unsigned long long>(rng.below(50)));
        out += buf;
      }
      out += "], \"position\": {\"x\": ";
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(rng.below(2000)) - 1000);
      out += buf;
      out += ", \"y\": ";
      std::snprintf(buf, sizeof buf, "%.3e", static_cast<double>(rng.below(1000000)) / 7);
      out += buf;
      out += ", \"history\": [";
      const std::uint64_t points = 2 + rng.below(8);
      for (std::uint64_t k = 0; k < points; ++k) {
        if (k) out += ", ";
        std::snprintf(buf, sizeof buf, "[%llu, %llu, null]", static_cast<unsigned long long>(rng.below(100)),
                      static_cast<unsigned long long>(rng.below(100)));
        out += buf;
      }
      out += "]}, \"note\": null}";
    }
    out += "\n]}\n";
    return out;
  }

  static std::uint64_t run(int scale) {
    const std::string text = document();
    std::uint64_t total = 0;
    for (int round = 0; round < kRounds * scale; ++round) {
      ValueP doc = Parser(text).parse();
      total += doc->checksum();
      P::destroy(doc);
    }
    return total;
  }
};

}  // namespace shapes
