// The line protocol's message encoding (docs/PROTOCOL.md): base64 against
// RFC 4648's test vectors, the binary matrix forms (base64 and frames)
// against the JSON form, frames that do not match their message, the
// parser's lifting of binary payloads, which must not change what any
// message means, and the transport's spin time.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "core/base64.hpp"
#include "core/rng.hpp"
#include "external/protocol.hpp"

using namespace vibench;

TEST_CASE("protocol: base64 gives RFC 4648's test vectors and reads them") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    std::string out = "prefix:";
    append_base64(out, plain, std::strlen(plain));
    CHECK(out == std::string("prefix:") + encoded);
    const auto decoded = decode_base64(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == plain);
  }
  // Every byte value survives the round trip.
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes += static_cast<char>(b);
  std::string text;
  append_base64(text, bytes.data(), bytes.size());
  CHECK(decode_base64(text) == bytes);
  for (const char* bad :
       {"Zg=", "Zg===", "Z===", "Zm9v!A==", "Zg==Zg==", "Z=g=", "Zm 9v"})
    CHECK_MESSAGE(!decode_base64(bad), bad);
}

TEST_CASE("protocol: binary matrices read back exactly, in either form") {
  Rng rng = make_rng(5);
  Matrix m = rng.normal_matrix(3, 4);
  m(1, 2) = std::numeric_limits<double>::quiet_NaN();
  m(2, 0) = -std::numeric_limits<double>::infinity();
  m(0, 3) = 5e-324;  // a subnormal: the JSON form's shortest text, too
  Vector v = rng.normal_vector(5);
  for (const auto encoding :
       {MatrixEncoding::json, MatrixEncoding::base64, MatrixEncoding::frames}) {
    INFO(encoding_name(encoding));
    OutgoingMessage text(R"({"type":"reply","m":)");
    append_matrix(text, m, encoding);
    text += R"(,"v":)";
    append_vector(text, v, encoding);
    Json message = parse_message(text.line(), "the test");
    // Only frames follow the line, and the line lists their lengths.
    CHECK(message.contains("frame_bytes") ==
          (encoding == MatrixEncoding::frames));
    CHECK(text.frames().size() ==
          (encoding == MatrixEncoding::frames ? (12 + 5) * 8 : 0));
    if (encoding == MatrixEncoding::frames) {
      CHECK(message["frame_bytes"] == Json::parse("[96,40]"));
      CHECK(frame_bytes(message, "the test") == 136);
      attach_frames(message, text.frames(), "the test");
    }
    const Matrix back = read_matrix(message["m"], 3, 4, "m", true);
    for (Index i = 0; i < 3; ++i)
      for (Index j = 0; j < 4; ++j) {
        INFO(i << "," << j);
        if (std::isnan(m(i, j))) CHECK(std::isnan(back(i, j)));
        // The JSON form writes ±inf as null (NaN): only binary keeps it.
        else if (std::isinf(m(i, j)) && encoding == MatrixEncoding::json)
          CHECK(std::isnan(back(i, j)));
        else
          CHECK(back(i, j) == m(i, j));
      }
    CHECK(read_vector(message["v"], 5, "v", false) == v);
    // Refused where non-finite values are not allowed.
    CHECK_THROWS_WITH_AS(read_matrix(message["m"], 3, 4, "m", false),
                         doctest::Contains("not finite"), std::runtime_error);
    // And a shape other than the expected one.
    CHECK_THROWS_WITH_AS(read_matrix(message["m"], 2, 4, "m", true),
                         doctest::Contains("has 3 rows; expected 2"),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(read_matrix(message["m"], -1, 5, "m", true),
                         doctest::Contains("expected 5"), std::runtime_error);
  }
  // A malformed binary matrix says what is wrong.
  const auto error_of = [](const std::string& value) {
    try {
      read_matrix(Json::parse(value), -1, 2, "the points", false);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of(R"({"shape":[1,2],"f64":"!!!!"})").find("base64") !=
        std::string::npos);
  CHECK(error_of(R"({"shape":[1,2],"f64":"AAAAAAAAAAA="})")
            .find("holds 8 bytes; shape [1,2] needs 16") != std::string::npos);
  CHECK(error_of(R"({"shape":[-1,2],"f64":""})").find("\"shape\"") !=
        std::string::npos);
  CHECK(error_of(R"({"shape":[0,2],"f64":""})").find("at least 1") !=
        std::string::npos);
  CHECK(
      error_of(R"({"shape":[99999999999999,2],"f64":""})").find("\"shape\"") !=
      std::string::npos);
  // A shape whose product does not fit in 64 bits is an error, not an
  // allocation.
  CHECK_THROWS_WITH_AS(
      read_matrix(Json::parse(R"({"shape":[549755813888,4194304],"f64":""})"),
                  -1, 4194304, "the points", false),
      doctest::Contains("holds 0 bytes"), std::runtime_error);
}

TEST_CASE("protocol: frames that do not match their message are refused") {
  const std::string one = std::string(8, '\0');  // a single 0.0
  const auto error_of = [&](const std::string& line,
                            const std::string& frames) {
    try {
      Json message = parse_message(line, "the peer");
      if (message.contains("frame_bytes"))
        attach_frames(message, frames, "the peer");
      read_matrix(message["points"], -1, 1, "the points", false);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of(R"({"points":{"shape":[1,1],"frame":0},"frame_bytes":[8]})",
                 one) == "no error");
  // Quoted in an error (or recorded), a frame is named, not dumped.
  Json framed = parse_message(
      R"({"type":"odd","points":{"shape":[1,1],"frame":0},"frame_bytes":[8]})",
      "the peer");
  attach_frames(framed, one, "the peer");
  CHECK(quote_message(framed).find(R"("f64":"<frame of 8 bytes>")") !=
        std::string::npos);
  CHECK(without_frames(framed)["points"]["shape"] == Json::parse("[1,1]"));
  CHECK(
      error_of(R"({"points":{"shape":[1,1],"frame":1},"frame_bytes":[8]})", one)
          .find("a matrix of frame 1; its message has 1 frame") !=
      std::string::npos);
  CHECK(error_of(R"({"points":{"shape":[1,1],"frame":-1},"frame_bytes":[8]})",
                 one)
            .find("a matrix of frame -1") != std::string::npos);
  CHECK(
      error_of(R"({"points":{"shape":[2,1],"frame":0},"frame_bytes":[8]})", one)
          .find("its frame holds 8 bytes; shape [2,1] needs 16") !=
      std::string::npos);
  CHECK(error_of(R"({"points":{"shape":[1,1],"frame":0,"f64":"AAAAAAAAAAA="},)"
                 R"("frame_bytes":[8]})",
                 one)
            .find("both \"frame\" and \"f64\"") != std::string::npos);
  // A frame without the list of frames.
  CHECK(error_of(R"({"points":{"shape":[1,1],"frame":0}})", "")
            .find("refers to no frame") != std::string::npos);
  // Lengths that are not a list of whole doubles, or add up past the cap.
  for (const std::string bad :
       {R"("frame_bytes":7)", R"("frame_bytes":[7])", R"("frame_bytes":[-8])",
        R"("frame_bytes":["8"])", R"("frame_bytes":[1073741824,8])"}) {
    INFO(bad);
    CHECK_THROWS_WITH_AS(
        frame_bytes(Json::parse("{" + bad + "}"), "the peer"),
        doctest::Contains("expected a list of byte counts, each a multiple "
                          "of 8"),
        std::runtime_error);
  }
}

TEST_CASE("protocol: lifting binary payloads does not change a message") {
  // A payload, a key "f64" whose value is not base64, the pattern inside an
  // escaped string, and one in a nested list: all read as written.
  const std::string line =
      R"({"type":"state","points":{"shape":[1,1],"f64":"AAAAAAAA8D8="},)"
      R"("note":"he wrote \"f64\":\"AAAA\" here","other":{"f64":"not base64!"},)"
      R"("list":[{"f64":"Zm9v"},{"f64":""}],"nul":"\u0000\u0030"})";
  const Json message = parse_message(line, "the test");
  CHECK(message == Json::parse(line));
  // The pattern after an escaped quote (inside a key), and a value that
  // reads like the parser's own token: both as written.
  for (const std::string tricky :
       {R"({"type":"final","diagnostics":{"say \"f64":"QUJD"}})",
        R"({"type":"final","a":{"f64":"QUJD"},"b":{"f64":"\u00000"}})",
        R"({"type":"final","a":{"f64":"\u00000"},"b":{"f64":"QUJD"}})"})
    CHECK(parse_message(tricky, "the test") == Json::parse(tricky));
  CHECK(read_matrix(message["points"], 1, 1, "p", false)(0, 0) == 1.0);
  // Not JSON is still reported as such.
  CHECK_THROWS_WITH_AS(parse_message(R"({"f64":"AAAA")", "the test"),
                       doctest::Contains("not JSON"), std::runtime_error);
}

TEST_CASE("protocol: the spin time comes from VIBENCH_PROTOCOL_SPIN_US") {
  const char* saved = std::getenv("VIBENCH_PROTOCOL_SPIN_US");
  const std::string restore = saved ? saved : "";
  const auto child_sees = [] {
    LineProcess child({"/bin/sh", "-c", "echo \"$VIBENCH_PROTOCOL_SPIN_US\""},
                      "the test process");
    return child.receive(LineProcess::Clock::now() + std::chrono::seconds(10));
  };
  // Unset: the default, which the child is told too.
  unsetenv("VIBENCH_PROTOCOL_SPIN_US");
  CHECK(child_sees() == "100");
  // Set, 0 (never spin) included: the child inherits it, and a line
  // still crosses both ways.
  for (const char* value : {"0", "7.5"}) {
    setenv("VIBENCH_PROTOCOL_SPIN_US", value, 1);
    CHECK(child_sees() == value);
    LineProcess cat({"/bin/cat"}, "the test process");
    const auto deadline = LineProcess::Clock::now() + std::chrono::seconds(10);
    cat.send("hello", deadline, std::string("\0frame", 6));
    CHECK(cat.receive(deadline) == "hello");
    CHECK(cat.receive_bytes(6, deadline) == std::string("\0frame", 6));
  }
  // Anything else is refused before a process starts.
  for (const char* bad :
       {"abc", "-1", "-0", "1e9", "", "5us", "0x64", " 100", "1_000", "nan"}) {
    setenv("VIBENCH_PROTOCOL_SPIN_US", bad, 1);
    const std::string expected =
        "VIBENCH_PROTOCOL_SPIN_US is '" + std::string(bad) + "'";
    CHECK_THROWS_WITH_AS(LineProcess({"/bin/cat"}, "the test process"),
                         doctest::Contains(expected.c_str()),
                         std::runtime_error);
  }
  if (saved)
    setenv("VIBENCH_PROTOCOL_SPIN_US", restore.c_str(), 1);
  else
    unsetenv("VIBENCH_PROTOCOL_SPIN_US");
}
