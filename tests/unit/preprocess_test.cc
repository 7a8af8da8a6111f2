#include "config/preprocess.h"

#include <gtest/gtest.h>

#include "fakes/memory_file_source.h"

namespace vigil::config {
namespace {

struct Out {
  std::vector<std::string> lines;
  base::Diagnostics diags;
};

Out RunPp(testing::MemoryFileSource& fs, const std::string& main = "/etc/k.conf",
          const std::string& id = "main") {
  Out o;
  PreprocessOptions opt;
  opt.config_id = id;
  for (auto& l : Preprocess(main, fs, opt, o.diags)) o.lines.push_back(l.text);
  return o;
}

Out RunText(const std::string& text, const std::string& id = "main") {
  testing::MemoryFileSource fs;
  fs.Add("/etc/k.conf", text);
  return RunPp(fs, "/etc/k.conf", id);
}

using Lines = std::vector<std::string>;

TEST(Preprocess, StripsHashAndBangCommentsOutsideQuotes) {
  auto o = RunText("a 1 # c\nb \"x # y\" ! z\n! whole\nc \\#lit\n");
  EXPECT_EQ(o.lines, (Lines{"a 1", "b \"x # y\"", "c #lit"}));
}

TEST(Preprocess, KeepsLocationOfEachLine) {
  testing::MemoryFileSource fs;
  fs.Add("/etc/k.conf", "\n\n   foo bar\n");
  base::Diagnostics d;
  auto lines = Preprocess("/etc/k.conf", fs, PreprocessOptions{}, d);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].loc.line, 3);
  EXPECT_EQ(lines[0].loc.column, 4);
  EXPECT_EQ(*lines[0].loc.file, "/etc/k.conf");
}

TEST(Preprocess, ConditionalLinesFollowConfigId) {
  auto o = RunText("@main a\n@backup b\n@^main c\n@^backup d\n", "main");
  EXPECT_EQ(o.lines, (Lines{"a", "d"}));
}

TEST(Preprocess, DefinitionsSubstituteRecursivelyAtUseTime) {
  auto o = RunText(
      "$BASE=10.2.${SUB}\n$SUB=0\n${BASE}.100/32\n$SUB=10\n${BASE}.100/32\n$UNDEF_STAYS x\n"
      "prio $P\n");
  EXPECT_EQ(o.lines, (Lines{"10.2.0.100/32", "10.2.10.100/32", "$UNDEF_STAYS x", "prio $P"}));
}

TEST(Preprocess, DefinitionCanCarryAConditional) {
  auto o = RunText("$IF_MAIN=@main\n$IF_MAIN priority 240\n$IF_B=@backup\n$IF_B priority 1\n");
  EXPECT_EQ(o.lines, (Lines{"priority 240"}));
}

TEST(Preprocess, MultilineDefinitionExpandsToLines) {
  auto o = RunText(
      "$BLOCK= \\\nvrrp_instance VI_${N} { \\\n  priority ${N} "
      "\\\n}\n$N=1\n$BLOCK\n$N=2\n$BLOCK\n");
  EXPECT_EQ(o.lines, (Lines{"vrrp_instance VI_1 {", "priority 1", "}", "vrrp_instance VI_2 {",
                            "priority 2", "}"}));
}

TEST(Preprocess, ConditionalMultilineDefinitionIsConsumedWhenDropped) {
  auto o = RunText("@backup $X= \\\nprio 1 \\\nprio 2\n@main $X= \\\nprio 3\n$X\n", "main");
  EXPECT_EQ(o.lines, (Lines{"prio 3"}));
  auto b = RunText("@backup $X= \\\nprio 1 \\\nprio 2\n@main $X= \\\nprio 3\n$X\n", "backup");
  EXPECT_EQ(b.lines, (Lines{"prio 1", "prio 2"}));
}

TEST(Preprocess, SeqCountsUpDownAndInHex) {
  EXPECT_EQ(RunText("~SEQ(I, 1, 3) a $I\n").lines, (Lines{"a 1", "a 2", "a 3"}));
  EXPECT_EQ(RunText("~SEQ(I, 3) a $I\n").lines, (Lines{"a 1", "a 2", "a 3"}));
  EXPECT_EQ(RunText("~SEQ(I, 5, -2, 1) a $I\n").lines, (Lines{"a 5", "a 3", "a 1"}));
  EXPECT_EQ(RunText("~SEQx(I, 0x90, 0x10, 0xb0) fe80::${I}\n").lines,
            (Lines{"fe80::90", "fe80::a0", "fe80::b0"}));
}

TEST(Preprocess, SeqAndLstNest) {
  auto o = RunText("~LST({A,B}, {1,2}, {3,4}) ~SEQ(C, 0, 1) ${A}.${B}.${C}\n");
  EXPECT_EQ(o.lines, (Lines{"1.2.0", "1.2.1", "3.4.0", "3.4.1"}));
}

TEST(Preprocess, SeqThatNeverEndsIsAnError) {
  auto o = RunText("~SEQ(I, 1, -1, 5) x\n");
  EXPECT_TRUE(o.lines.empty());
  EXPECT_TRUE(o.diags.HasAtLeast(base::Severity::kError));
}

TEST(Preprocess, SelfReferentialMultilineDefinitionIsRefused) {
  // Found by the fuzzer: a body that repeats itself under ~SEQ grew exponentially.
  auto o = RunText("$VI= \\\nx ${ID} \\\n~SEQ(ID, 1, 3) $VI\n$VI\n");
  EXPECT_EQ(o.lines, (Lines{"x ${ID}"}));
  EXPECT_TRUE(o.diags.HasAtLeast(base::Severity::kError));
}

TEST(Preprocess, ExpansionWorkIsBounded) {
  testing::MemoryFileSource fs;
  fs.Add("/etc/k.conf", "~SEQ(A, 1, 1000) ~SEQ(B, 1, 1000) @other x\n");
  PreprocessOptions opt;
  opt.max_expansion_steps = 10000;
  base::Diagnostics d;
  auto lines = Preprocess("/etc/k.conf", fs, opt, d);
  EXPECT_TRUE(lines.empty());
  EXPECT_TRUE(d.HasAtLeast(base::Severity::kFatal));
}

TEST(Preprocess, HugeSeqIsBounded) {
  auto o = RunText("~SEQ(I, 1, 1000000000) x\n");
  EXPECT_TRUE(o.lines.empty());
  EXPECT_TRUE(o.diags.HasAtLeast(base::Severity::kError));
}

TEST(Preprocess, SelfReferenceDoesNotLoopForever) {
  auto o = RunText("$A=${A}${A}\nx ${A}\n");
  EXPECT_TRUE(o.diags.HasAtLeast(base::Severity::kError));
}

TEST(Preprocess, IncludesRelativeToIncludingFileInGlobOrder) {
  testing::MemoryFileSource fs;
  fs.Add("/etc/k.conf", "top\ninclude conf.d/*.conf\nbottom\n");
  fs.Add("/etc/conf.d/b.conf", "b\n");
  fs.Add("/etc/conf.d/a.conf", "a\ninclude ../x.inc\n");
  fs.Add("/etc/x.inc", "x\n");
  auto o = RunPp(fs);
  EXPECT_EQ(o.lines, (Lines{"top", "a", "x", "b", "bottom"}));
  EXPECT_EQ(o.diags.size(), 0u);
}

TEST(Preprocess, IncludeCycleIsReportedNotFollowed) {
  testing::MemoryFileSource fs;
  fs.Add("/etc/k.conf", "include /etc/a.conf\n");
  fs.Add("/etc/a.conf", "a\ninclude /etc/k.conf\n");
  auto o = RunPp(fs);
  EXPECT_EQ(o.lines, (Lines{"a"}));
  ASSERT_EQ(o.diags.size(), 1u);
  EXPECT_NE(o.diags.all()[0].message.find("cycle"), std::string::npos);
  EXPECT_EQ(o.diags.all()[0].loc.line, 2);
}

TEST(Preprocess, PlainIncludeOfMissingFileIsANoteIncludeaIsAnError) {
  auto plain = RunText("include /nope.conf\n");
  EXPECT_FALSE(plain.diags.HasAtLeast(base::Severity::kWarning));
  EXPECT_EQ(plain.diags.size(), 1u);
  auto strict = RunText("includea /nope.conf\n");
  EXPECT_TRUE(strict.diags.HasAtLeast(base::Severity::kError));
}

TEST(Preprocess, LongAndNulLinesAreIgnoredWithAWarning) {
  std::string text =
      "ok\n" + std::string(2000, 'x') + "\n" + std::string("bad\0line", 8) + "\nend\n";
  auto o = RunText(text);
  EXPECT_EQ(o.lines, (Lines{"ok", "end"}));
  EXPECT_EQ(o.diags.size(), 2u);
}

TEST(Preprocess, MissingMainFileIsFatal) {
  testing::MemoryFileSource fs;
  auto o = RunPp(fs, "/etc/none.conf");
  EXPECT_TRUE(o.diags.HasAtLeast(base::Severity::kFatal));
}

TEST(Preprocess, NestedMultilineDefinitionsAsInTheManual) {
  // keepalived.conf(5): a multi-line definition may define parameters and use other
  // multi-line definitions; blank lines inside it are skipped.
  auto o = RunText(
      "$RS= \\\n"
      "real_server 192.0.2.${RS_NUM} 80 { \\\n"
      "    weight 1 \\\n"
      "\n"
      "}\n"
      "$VS= \\\n"
      "virtual_server 203.0.113.${VS_NUM} 80 { \\\n"
      "    $RS_NUM=1 \\\n"
      "    $RS \\\n"
      "    $RS_NUM=2 \\\n"
      "    $RS \\\n"
      "}\n"
      "$VS_NUM=7\n"
      "$VS\n");
  EXPECT_EQ(o.lines, (Lines{"virtual_server 203.0.113.7 80 {", "real_server 192.0.2.1 80 {",
                            "weight 1", "}", "real_server 192.0.2.2 80 {", "weight 1", "}", "}"}));
  EXPECT_EQ(o.diags.size(), 0u);
}

TEST(Preprocess, EnvironmentComesFromTheInjectedLookup) {
  testing::MemoryFileSource fs;
  fs.Add("/etc/k.conf", "a ${_ENV VIGIL_X} b\n");
  PreprocessOptions opt;
  opt.getenv = [](const std::string& n) -> std::optional<std::string> {
    if (n == "VIGIL_X") return std::string("42");
    return std::nullopt;
  };
  base::Diagnostics d;
  auto lines = Preprocess("/etc/k.conf", fs, opt, d);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "a 42 b");
}

TEST(Preprocess, BuiltinDefinitions) {
  auto o = RunText("${_PWD} ${_INSTANCE} a${_HASH}b${_BANG}\n", "node1");
  EXPECT_EQ(o.lines, (Lines{"/etc node1 a#b!"}));
}

}  // namespace
}  // namespace vigil::config
