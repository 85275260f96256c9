# A thin driver over meson: `make run` and `make test` are all a newcomer
# needs on a fresh Debian 12 machine.

BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_OPTIONS ?=
DATA_DIR ?=
TEST_OPTIONS ?=

.PHONY: all deps build run test asan bench bench-api bench-deps check-format format install clean

all: build

deps:
	@sh scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(MESON_OPTIONS) $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	$(BUILD)/core/daemon/timond $(if $(DATA_DIR),--data-dir $(DATA_DIR))

test: build
	meson test -C $(BUILD) --print-errorlogs $(TEST_OPTIONS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	test -f $(ASAN_BUILD)/build.ninja || meson setup -Db_sanitize=address,undefined -Db_lundef=false $(ASAN_BUILD)
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  meson test -C $(ASAN_BUILD) --print-errorlogs --timeout-multiplier 3 $(TEST_OPTIONS)

# The store benchmark, then the API benchmark over HTTP (bench/api/run.sh:
# wrk and nginx, which scripts/install-bench-deps.sh installs when missing;
# QUICK=1, PODS=, WATCHERS=, DURATION=... scale it, see the script).
bench: build bench-deps
	$(BUILD)/bench/bench-store $(BENCH_OPTIONS)
	bash bench/api/run.sh $(BUILD)

bench-api: build bench-deps
	bash bench/api/run.sh $(BUILD)

bench-deps:
	@sh scripts/install-bench-deps.sh

check-format: build
	ninja -C $(BUILD) check-format

format: build
	ninja -C $(BUILD) format

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
