#ifndef HEARTH_CLIBFUZZER_H
#define HEARTH_CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver for programs with their own main (libclang_rt.fuzzer_no_main): parses the
/// libFuzzer flags in argv and runs `callback` on each input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// libFuzzer's own mutations, for a custom mutator to fall back on.
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

#endif
