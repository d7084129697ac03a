#ifndef CFUZZERDRIVER_H
#define CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that keep their own main (compiler-rt's FuzzerInterface.h).
// SwiftPM renames an executable's entry point (MODULE_main, with --defsym main=...), so libFuzzer's own
// main is never linked; the fuzz executables call this instead. Only referenced in the fuzz build
// (SWIFTLET_LIBFUZZER), where -sanitize=fuzzer links libFuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
