# Builds what node-gyp does not: the WASM module (the ir/ kernels plus native/kernels/phase_pair.c for wasm simd128,
# by clang-14) and libatlas (static + shared) with its C tests.
# `npm run build` runs tsc, node-gyp (the addon) and `make all`.
OUT := dist/native
WASM := dist/wasm/atlas.wasm
IR := ir/conserved.ll ir/r96.ll native/ir-object.sh
PHASE := native/kernels/phase_pair.c native/kernels/phase_pair_simd.h native/kernels/kernels.h
# Freestanding: phase_pair.c needs no libc; bulk memory turns its copies into memory.copy, atomics allow shared memory.
WASM_CFLAGS := --target=wasm32 -msimd128 -matomics -mbulk-memory -O3 -nostdlib -std=gnu11 -fvisibility=default -Wall -Wextra
CFLAGS := -O2 -fvisibility=hidden -std=gnu11 -Wall -Wextra -fPIC -pthread -Iinclude -Inative
LIB_SRC := $(wildcard native/c/*.c) native/kernels/dispatch.c
IR_OBJ := $(OUT)/ir/kernels_base.o $(OUT)/ir/kernels_v3.o $(OUT)/ir/kernels_v4.o
LIB_OBJ := $(patsubst %.c,$(OUT)/obj/%.o,$(LIB_SRC))
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all wasm lib c-test c-test-asan clean
all: wasm lib
wasm: $(WASM)
lib: $(OUT)/libatlas.a $(OUT)/libatlas.so

$(OUT)/ir/kernels_%.o: $(IR)
	@mkdir -p $(dir $@)
	sh native/ir-object.sh $* $@

$(WASM): $(IR) $(PHASE)
	@mkdir -p $(dir $@) $(OUT)/ir
	sh native/ir-object.sh wasm $(OUT)/ir/kernels_wasm.o
	clang-14 $(WASM_CFLAGS) -c native/kernels/phase_pair.c -o $(OUT)/ir/phase_pair_wasm.o
	wasm-ld-14 --no-entry --export-dynamic --export=__heap_base --import-memory --shared-memory --max-memory=67108864 \
		--initial-memory=1048576 -o $@ $(OUT)/ir/kernels_wasm.o $(OUT)/ir/phase_pair_wasm.o

$(OUT)/obj/%.o: %.c include/atlas.h native/kernels/kernels.h $(wildcard native/c/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/libatlas.a: $(LIB_OBJ) $(IR_OBJ)
	rm -f $@ && ar rcs $@ $^

$(OUT)/libatlas.so: $(LIB_OBJ) $(IR_OBJ)
	$(CC) -shared -pthread -o $@ $^

$(OUT)/test_atlas: test/c/test_atlas.c $(OUT)/libatlas.a
	$(CC) $(CFLAGS) -o $@ $< $(OUT)/libatlas.a -pthread

$(OUT)/test_atlas_asan: test/c/test_atlas.c $(LIB_SRC) $(IR_OBJ)
	$(CC) $(CFLAGS) -O1 -g $(SAN) -o $@ test/c/test_atlas.c $(LIB_SRC) $(IR_OBJ) -pthread

c-test: $(OUT)/test_atlas
	./$(OUT)/test_atlas

c-test-asan: $(OUT)/test_atlas_asan
	./$(OUT)/test_atlas_asan

clean:
	rm -rf $(OUT) dist/wasm
