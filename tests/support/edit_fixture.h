// Shared by the edit suites (edit_test, edit_split_test): a started loopback emulator, omnicut
// run in the background so a test can kill it mid-edit, and where the source's beep landed.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "emulator/emulator.h"
#include "tests/support/test_support.h"

namespace omnicut::test {

// An emulator listening on loopback with `faults`, stopped when this goes out of scope.
struct Emu {
  emulator::Emulator emu;
  explicit Emu(emulator::Faults faults = {}) : emu(options(faults)) { emu.start(); }
  static emulator::Options options(emulator::Faults f) {
    emulator::Options o;
    o.faults = f;
    return o;
  }
};

// Starts the omnicut binary with `args` and `env` entries ("NAME=value") added, stdout and
// stderr to `log`, stdin /dev/null, and returns at once: the caller kills and reaps the pid.
pid_t spawn_omnicut(const std::vector<std::string>& args, const std::vector<std::string>& env, const fs::path& log);

// First sample louder than a quarter of full scale, in seconds (mono 48 kHz decode by ffmpeg);
// -1 when none is.
double beep_onset(const fs::path& file);

}  // namespace omnicut::test
