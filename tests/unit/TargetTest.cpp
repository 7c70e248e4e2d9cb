//===- TargetTest.cpp - target descriptions: the built-in ones and errors -===//
#include "targets/Target.h"
#include "TestUtil.h"
#include <set>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

const char *kValid = R"({
  "name": "mine", "description": "a board", "arch": "arm", "core": "cortex-m4",
  "cflags": ["-mcpu=cortex-m4"], "features": {"fpu": "sp", "dsp": true},
  "memory": {"regions": [{"name": "dtcm", "size": "64K"},
                         {"name": "sram", "size": 1000, "alignment": 8, "section": ".bss.tmc_sram_arena"}],
             "flash": "1M"},
  "kernels": {"layout": "nchw", "prefer": ["portable"]}
})";

/// kValid with `from` replaced by `to`, parsed; the error text or "".
std::string errorWith(const std::string &from, const std::string &to) {
  std::string text = kValid;
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return errorOf(parseTarget(text, "t.json"));
}

} // namespace

TEST_CASE("a valid description gives every field") {
  auto t = parseTarget(kValid, "t.json");
  REQUIRE(t);
  CHECK(t->name == "mine");
  CHECK(t->arch == "arm");
  CHECK(t->features.fpu == "sp");
  CHECK(t->features.dsp);
  CHECK(t->features.mve == "none");
  REQUIRE(t->regions.size() == 2);
  CHECK(t->regions[0].size == 64 * 1024);
  CHECK(t->regions[0].alignment == 16);
  CHECK(t->regions[1].size == 1000);
  CHECK(t->regions[1].alignment == 8);
  CHECK(t->regions[1].section == ".bss.tmc_sram_arena");
  CHECK(t->flash == 1024 * 1024);
  CHECK(t->ramSize() == 64 * 1024 + 1000);
}

TEST_CASE("the built-in targets parse and include the required ones") {
  std::set<std::string> names;
  for (const Target &t : builtinTargets())
    names.insert(t.name);
  for (const char *n : {"host", "cortex-m0plus", "cortex-m3", "cortex-m4", "cortex-m7",
                        "cortex-m33", "cortex-m55", "riscv32imac", "stm32f446", "nrf52840",
                        "rp2040", "esp32c3", "mps2-an386", "mps3-an547", "riscv32-virt"})
    CHECK_MESSAGE(names.count(n), n);
  // Boards carry the part's limits.
  auto f4 = findTarget("stm32f446");
  REQUIRE(f4);
  CHECK(f4->ramSize() == 128 * 1024);
  CHECK(f4->flash == 512 * 1024);
  auto nrf = findTarget("nrf52840");
  REQUIRE(nrf);
  CHECK(nrf->ramSize() == 256 * 1024);
  CHECK(nrf->flash == 1024 * 1024);
  auto rp = findTarget("rp2040");
  REQUIRE(rp);
  CHECK(rp->ramSize() == 264 * 1024);
  auto an547 = findTarget("mps3-an547");
  REQUIRE(an547);
  REQUIRE(an547->regions.size() == 2);
  CHECK(an547->regions[0].name == "dtcm");
  CHECK(an547->features.mve == "float");
  // Cores without a board have no limits.
  auto m4 = findTarget("cortex-m4");
  REQUIRE(m4);
  CHECK(m4->ramSize() == -1);
  CHECK(m4->flash == -1);
}

TEST_CASE("an unknown target name lists the known ones") {
  std::string e = errorOf(findTarget("cortex-m99"));
  CHECK(e.find("unknown target 'cortex-m99' (targets: ") == 0);
  CHECK(e.find("stm32f446") != std::string::npos);
}

TEST_CASE("errors name the file and the JSON path") {
  CHECK(errorOf(parseTarget("{\"name\": ", "t.json"))
            .find("t.json: line 1, column 10: not valid "
                  "JSON") == 0);
  CHECK(errorOf(parseTarget("[]", "t.json")) ==
        "t.json: /: expected an object describing the target, got an array");
  CHECK(errorWith("\"name\": \"mine\", ", "") == "t.json: /: missing \"name\"");
  CHECK(errorWith("\"arch\": \"arm\"", "\"arch\": \"x86\"") ==
        "t.json: /arch: expected one of \"arm\", \"riscv\", \"host\", got \"x86\"");
  CHECK(errorWith("\"size\": \"64K\"", "\"size\": \"64Q\"") ==
        "t.json: /memory/regions/0/size: expected a byte count (an integer, or a string like "
        "\"128K\" or \"1M\") or null for no limit, got \"64Q\"");
  CHECK(errorWith("\"size\": 1000", "\"size\": -5") ==
        "t.json: /memory/regions/1/size: expected a byte count > 0, got -5");
  CHECK(errorWith("\"alignment\": 8", "\"alignment\": 12") ==
        "t.json: /memory/regions/1/alignment: expected a power of two from 1 to 4096, got 12");
  CHECK(errorWith("{\"name\": \"sram\"", "{\"name\": \"dtcm\"") ==
        "t.json: /memory/regions/1/name: region 'dtcm' is listed twice");
  CHECK(errorWith("\"flash\": \"1M\"", "\"flsh\": \"1M\"") ==
        "t.json: /memory/flsh: unknown key \"flsh\" (expected: regions, flash)");
  CHECK(errorWith("\"dsp\": true", "\"dsp\": \"yes\"") ==
        "t.json: /features/dsp: expected true or false, got a string");
  CHECK(errorWith("\"fpu\": \"sp\", \"dsp\": true", "\"riscv\": \"rv32imac\"") ==
        "t.json: /features/riscv: RISC-V extensions given, but \"arch\" is \"arm\"");
  CHECK(errorWith("\"layout\": \"nchw\"", "\"layout\": \"nhwc\"") ==
        "t.json: /kernels/layout: expected one of \"nchw\", got \"nhwc\" (this compiler generates "
        "NCHW code only)");
  CHECK(errorWith("[\"portable\"]", "[\"cmsis-nn\"]") ==
        "t.json: /kernels/prefer/0: unknown kernel family \"cmsis-nn\" (this compiler has the "
        "portable runtime-min kernels only: \"portable\")");
  CHECK(errorWith("\"regions\": [", "\"regions\": 3, \"x\": [") ==
        "t.json: /memory/x: unknown key \"x\" (expected: regions, flash)");
}

TEST_CASE("byte counts and their formatting") {
  CHECK(formatBytes(128 * 1024) == "128K");
  CHECK(formatBytes(2 * 1024 * 1024) == "2M");
  CHECK(formatBytes(1000) == "1000");
  CHECK(formatBytes(-1) == "unlimited");
}
