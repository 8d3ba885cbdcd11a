# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: deps build test test-release test-asan demo bench fuzz format clean

JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 600
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
# Unity builds (CMake compiles a target's sources eight at a time): a fresh
# build on two cores takes a fraction of the time. `make build UNITY=OFF`
# compiles file by file, quicker when editing one file.
UNITY ?= ON
CMAKE_FLAGS := $(CMAKE_GEN) -DCMAKE_UNITY_BUILD=$(UNITY)

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B build $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)

# The suite under AddressSanitizer + UBSan built by clang (the Release build is
# g++'s: two compilers see every file), whose -Wthread-safety is an error there,
# so a lock annotation broken anywhere, tests included, fails the build; the
# fuzzers briefly; then the suite in Release.
ASAN_COMPILERS := -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
test: build
	@if [ -f build-asan/CMakeCache.txt ] && \
	  ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang' build-asan/CMakeCache.txt; then \
	  rm -rf build-asan; fi  # configured for g++ before
	@cmake -S . -B build-asan $(CMAKE_FLAGS) $(ASAN_COMPILERS) -DCMAKE_BUILD_TYPE=None \
	  -DVIGIL_SANITIZE=ON >/dev/null
	@echo "== the sanitizer build (clang, with its thread-safety analysis of the lock annotations)"
	@cmake --build build-asan -j $(JOBS)
	@echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -E 'Benchmark|Slow'
	@echo "== fuzzers (libFuzzer, clang): corpus, then 20 s each"
	@scripts/fuzz.sh 20
	@echo "== tests (Release)"
	@cd build && ctest --output-on-failure -j $(JOBS)

# Longer fuzzing, e.g. `make fuzz FUZZ_SECONDS=3600` (docs/testing.md).
fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)

demo: build
	@scripts/demo.sh

bench: build
	@for b in $$(find build -name "*_benchmark" -type f -perm -u+x | sort); do \
	  echo "== $$b"; OMP_WAIT_POLICY=passive $$b; done
	@if [ -e /work/shared/datasets/fraud-handbook/transactions.csv.gz ]; then \
	  echo "== bench/fraud_handbook.sh"; OMP_WAIT_POLICY=passive bench/fraud_handbook.sh; fi

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build build-asan
