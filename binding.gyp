{
  "targets": [
    {
      "target_name": "atlas_kernels",
      "sources": ["native/addon.cc", "native/kernels/dispatch.c", "native/kernels/rs_parity.c", "native/kernels/phase_pair.c", "native/c/domain.c", "native/c/errors.c", "native/c/sha256.c", "native/c/cluster.c"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native", "include"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags": ["-O2"],
      "cflags_c": ["-std=gnu11", "-Wno-psabi"],
      "cflags_cc": ["-O2", "-std=c++17"],
      "actions": [
        {
          "action_name": "ir_base",
          "inputs": ["ir/conserved.ll", "ir/r96.ll", "native/ir-object.sh"],
          "outputs": ["<(INTERMEDIATE_DIR)/kernels_base.o"],
          "action": ["sh", "native/ir-object.sh", "base", "<(INTERMEDIATE_DIR)/kernels_base.o"]
        },
        {
          "action_name": "ir_v3",
          "inputs": ["ir/conserved.ll", "ir/r96.ll", "native/ir-object.sh"],
          "outputs": ["<(INTERMEDIATE_DIR)/kernels_v3.o"],
          "action": ["sh", "native/ir-object.sh", "v3", "<(INTERMEDIATE_DIR)/kernels_v3.o"]
        },
        {
          "action_name": "ir_v4",
          "inputs": ["ir/conserved.ll", "ir/r96.ll", "native/ir-object.sh"],
          "outputs": ["<(INTERMEDIATE_DIR)/kernels_v4.o"],
          "action": ["sh", "native/ir-object.sh", "v4", "<(INTERMEDIATE_DIR)/kernels_v4.o"]
        }
      ],
      "libraries": [
        "<(INTERMEDIATE_DIR)/kernels_base.o",
        "<(INTERMEDIATE_DIR)/kernels_v3.o",
        "<(INTERMEDIATE_DIR)/kernels_v4.o"
      ]
    }
  ]
}
