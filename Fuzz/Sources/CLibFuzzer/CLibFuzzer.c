// Declarations only: the definitions are in libclang_rt.fuzzer_no_main, linked by scripts/fuzz.sh.
#include "CLibFuzzer.h"
