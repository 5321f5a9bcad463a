// libFuzzer's documented entry for programs that own `main` (compiler-rt FuzzerInterface.h).
// SwiftPM links each executable with `--defsym main=<Module>_main`, so a target's
// `<Module>_main` hands over to libFuzzer here instead of libFuzzer's own `main`.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*callback)(const uint8_t *data, size_t size));
