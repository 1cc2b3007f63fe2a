# Seal: build, run, test and measure unikernel images. `make help` lists the targets.
BOARD ?= qemu-virt
APP ?= www
SECONDS ?= 60

ROOT := $(CURDIR)
BUILD := $(ROOT)/build
TRIPLE := armv7-none-none-eabi
DEPENDENCIES_STAMP := $(BUILD)/.dependencies-$(shell cksum < toolchain/install-dependencies.sh | cut -d' ' -f1)
SWIFT_SOURCES := $(shell find Sources Boards Apps -name '*.swift' -o -name '*.[chS]' 2>/dev/null) Package.swift

# newlib and libgcc for ARMv7-A, NEON, hard-float ABI (Debian's gcc-arm-none-eabi multilib).
MULTILIB_FLAGS := -mthumb -march=armv7-a+simd -mfloat-abi=hard
NEWLIB_DIR = $(dir $(shell arm-none-eabi-gcc $(MULTILIB_FLAGS) -print-file-name=libc.a))
LIBGCC_DIR = $(dir $(shell arm-none-eabi-gcc $(MULTILIB_FLAGS) -print-libgcc-file-name))

ELF := $(BUILD)/$(BOARD)/$(APP).elf
BIN := $(BUILD)/$(BOARD)/$(APP).bin

.PHONY: help dependencies image run debug disk test test-host test-qemu test-host-network test-dtdump test-storage test-fuzz bench fuzz-dt fuzz-net fuzz-http fuzz-storage fuzz-% clean

help:
	@echo "make run                      build APP (default $(APP)) for BOARD (default $(BOARD)) and boot it in QEMU"
	@echo "make test                     install what is missing, run every test"
	@echo "make image BOARD=… APP=…      build build/<board>/<app>.{elf,bin}"
	@echo "make debug BOARD=… APP=…      boot halted under QEMU's gdbstub and attach gdb-multiarch"
	@echo "make bench                    Seal against a Debian Linux guest: size, boot, requests/s, MB/s, memory, idle CPU"
	@echo "make disk DIR=folder [DISK=…]  a partitioned FAT disk image of a folder (default build/disk.img)"
	@echo "make sdcard BOARD=cubieboard APP=…  a flashable SD card image build/<board>/<app>-sd.img (SITE=folder, BOOTARGS=…)"
	@echo "make run APP=site DISK=…      serve a disk image's files (add ARGS=rw to take PUT and DELETE)"
	@echo "make fuzz-dt SECONDS=60       run the device-tree fuzzer for a bounded time"
	@echo "make fuzz-storage SECONDS=60  run the FAT, partition-table and key-value fuzzers"

$(DEPENDENCIES_STAMP): toolchain/install-dependencies.sh
	@mkdir -p $(BUILD)
	@toolchain/install-dependencies.sh
	@touch $@

dependencies: $(DEPENDENCIES_STAMP)

image: $(DEPENDENCIES_STAMP)
ifeq ($(BOARD),host)
	SEAL_BOARD=host SEAL_APP=$(APP) swift build -c release --scratch-path $(BUILD)/host/.swiftpm/$(APP) --product Image
	@mkdir -p $(BUILD)/host
	cp --remove-destination $(BUILD)/host/.swiftpm/$(APP)/release/Image $(BUILD)/host/$(APP)
else
	SEAL_BOARD=$(BOARD) SEAL_APP=$(APP) swift build -c release --triple $(TRIPLE) \
	  --toolset toolchain/$(TRIPLE).json --scratch-path $(BUILD)/$(BOARD)/.swiftpm/$(APP) --product Image \
	  -Xlinker -T -Xlinker $(ROOT)/linker-scripts/$(BOARD).ld -Xlinker -L -Xlinker $(ROOT)/linker-scripts \
	  -Xlinker -L -Xlinker $(NEWLIB_DIR) -Xlinker -L -Xlinker $(LIBGCC_DIR) \
	  -Xlinker --start-group -Xlinker -lc -Xlinker -lm -Xlinker -lgcc -Xlinker --end-group
	cp --remove-destination $(BUILD)/$(BOARD)/.swiftpm/$(APP)/$(TRIPLE)/release/Image $(ELF)
	llvm-objcopy -O binary $(ELF) $(BIN)
	@echo "$(BIN): $$(stat -c %s $(BIN)) bytes"
ifeq ($(BOARD),xen-arm)
	cp --remove-destination $(BIN) $(BUILD)/xen-arm/$(APP).zImage
	toolchain/xl-config.sh $(APP) $(BUILD)/xen-arm/$(APP).zImage $(if $(DISK),--disk $(abspath $(DISK))) \
	  $(if $(APPEND),--extra "$(APPEND)") > $(BUILD)/xen-arm/$(APP).xl
	@echo "$(BUILD)/xen-arm/$(APP).xl: the domain's xl configuration"
endif
endif

run: image
	toolchain/run.sh $(BOARD) $(APP)

disk: $(DEPENDENCIES_STAMP)
	@test -n "$(DIR)" || { echo "make disk DIR=folder [DISK=build/disk.img]"; exit 1; }
	toolchain/make-disk.sh "$(DIR)" "$(or $(DISK),build/disk.img)"

.PHONY: sdcard
# U-Boot at 8 KiB, a FAT boot partition (zImage, DTB, boot.scr), a FAT data partition for site and kv.
sdcard: image
	BOOTARGS="$(BOOTARGS)" SITE="$(SITE)" toolchain/make-sdcard.sh $(BOARD) $(APP)

debug: image
	toolchain/debug.sh $(BOARD) $(APP)

test: $(DEPENDENCIES_STAMP)
	Tests/run-all.sh

test-host:
	swift build -c release --product dtdump
	swift test

test-dtdump:
	Tests/scripts/test-dtdump.sh

test-qemu:
	Tests/qemu/run-all.sh

# The Cubieboard (Allwinner A10) tests alone; `make test-qemu` runs them too.
.PHONY: test-cubieboard
test-cubieboard: $(DEPENDENCIES_STAMP)
	bash -c 'source Tests/qemu/lib.sh && run_scripts cubieboard Tests/qemu/test-cubieboard-*.sh'

test-storage:
	Tests/storage/test-fat-interop.sh

# The Xen rig: dom0less boots, and the Linux dom0 with xl create (Tests/xen/README.md).
.PHONY: test-xen
test-xen: $(DEPENDENCIES_STAMP)
	bash -c 'source Tests/qemu/lib.sh && run_scripts xen Tests/xen/test-*.sh'

test-host-network:
	Tests/host/run-all.sh

# Every fuzz target for a few seconds: a crash found since the corpus was checked in fails the run.
test-fuzz:
	@for target in $$(ls Fuzz); do toolchain/fuzz.sh $$target $${FUZZ_SECONDS:-10} || exit 1; done

bench: $(DEPENDENCIES_STAMP)
	Tests/bench/bench.sh

fuzz-dt: fuzz-DeviceTree
fuzz-net: fuzz-Network
fuzz-http: fuzz-HTTP
fuzz-storage: $(DEPENDENCIES_STAMP)
	toolchain/fuzz.sh FAT $(SECONDS) && toolchain/fuzz.sh Partitions $(SECONDS) && toolchain/fuzz.sh KV $(SECONDS)
fuzz-%: $(DEPENDENCIES_STAMP)
	toolchain/fuzz.sh $* $(SECONDS)

clean:
	rm -rf $(BUILD) .build
