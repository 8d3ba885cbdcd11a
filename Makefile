# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: deps build test test-release test-asan demo bench format clean

JOBS ?= $(shell nproc)
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B build $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)

# Release tests, then the same suite under AddressSanitizer + UBSan.
test: build
	@cmake -S . -B build-asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=None -DVIGIL_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -E 'Benchmark|Slow'
	@echo "== tests (Release)"
	@cd build && ctest --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo.sh

bench: build
	@for b in $$(find build -name "*_benchmark" -type f -perm -u+x | sort); do \
	  echo "== $$b"; OMP_WAIT_POLICY=passive $$b; done

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build build-asan
