# The user's interface to Vigil. Every target installs what it needs first.
#   make demo   install dependencies, build, run the demo
#   make test   install dependencies, build, run the whole suite (what CI runs)
#   make bench  install dependencies, build in release mode, run the benchmarks (parse,
#               failover, scale and checker, each beside keepalived in the same run)
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
VRRP_FUZZ_SECONDS ?= 20
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build test unit asan fuzz demo bench clean format

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The full suite: unit, golden, CLI and keepalived differential tests; the same unit tests
# under ASan+UBSan; and the configuration fuzzer for $(FUZZ_SECONDS) s.
test: build asan fuzz
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

unit: build
	@cd $(BUILD) && ctest --output-on-failure -R 'unit|golden'

asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests golden_tests probe_tests
	@echo "== unit, golden and probe tests under ASan+UBSan"
	@$(ASAN_BUILD)/tests/unit_tests --gtest_brief=1
	@$(ASAN_BUILD)/tests/golden_tests --gtest_brief=1
	@$(ASAN_BUILD)/tests/probe_tests --gtest_brief=1

fuzz: deps
	@CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target config_fuzzer vrrp_fuzzer
	@echo "== config fuzzer for $(FUZZ_SECONDS) s (seeds: tests/golden)"
	@mkdir -p $(FUZZ_BUILD)/corpus
	@$(FUZZ_BUILD)/tests/config_fuzzer -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -max_len=16384 -print_final_stats=1 $(FUZZ_BUILD)/corpus tests/golden/valid tests/golden/invalid \
	    tests/fuzz/regressions \
	    2>$(FUZZ_BUILD)/fuzz.log || { tail -60 $(FUZZ_BUILD)/fuzz.log; exit 1; }
	@grep -E '^stat::number_of_executed_units|^Done' $(FUZZ_BUILD)/fuzz.log || true
	@echo "== VRRP codec fuzzer for $(VRRP_FUZZ_SECONDS) s (seeds: tests/fuzz/vrrp-seeds)"
	@mkdir -p $(FUZZ_BUILD)/vrrp-corpus
	@$(FUZZ_BUILD)/tests/vrrp_fuzzer -max_total_time=$(VRRP_FUZZ_SECONDS) -timeout=10 -max_len=2048 \
	    -print_final_stats=1 $(FUZZ_BUILD)/vrrp-corpus tests/fuzz/vrrp-seeds \
	    2>$(FUZZ_BUILD)/vrrp-fuzz.log || { tail -60 $(FUZZ_BUILD)/vrrp-fuzz.log; exit 1; }
	@grep -E '^Done' $(FUZZ_BUILD)/vrrp-fuzz.log || true

demo: build
	@./scripts/demo.sh $(BUILD)

bench: deps
	@cmake -S . -B build-release $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DVIGIL_TESTS=OFF >/dev/null
	@cmake --build build-release -j $(JOBS) --target vigild vigilctl
	@./bench/parse_bench.sh build-release/src/vigild
	@./bench/failover_bench.sh build-release/src/vigild build-release/src/vigilctl
	@python3 ./bench/scale_bench.py build-release/src/vigild
	@python3 ./bench/checker_bench.py build-release/src/vigild

format:
	@clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-release
