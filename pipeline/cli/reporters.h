// The printers of an edit session's events (pipeline/edit/events.h), also used for the progress
// of prep, upload, download and split. On a terminal: one line per stage on stderr with a bar
// (prep frames, upload bytes, queue position, download bytes), the model's log lines and the
// running cost, and the estimate and ledger on stdout. Piped or with --json: JSON-lines on stdout,
// one object per event with "event" and "t" (seconds since the command started), so a script can
// follow along. A plain log (stderr is not a terminal): notices only, one line each.
#pragma once
#include <cstdio>
#include <memory>
#include <string>

#include "pipeline/edit/events.h"

namespace omnicut::cli {

enum class ReportMode { terminal, json_lines, plain };

// json_lines when asked for or when stdout is not a terminal; else terminal or plain by stderr.
ReportMode report_mode(bool json_flag);
// For a command whose stdout is its own result: bars when stderr is a terminal, else plain.
ReportMode progress_mode();

// `assume_yes` (--yes): the money question is answered yes without asking.
std::unique_ptr<EditEvents> make_reporter(ReportMode mode, bool assume_yes = false);

// A batch clip's events in JSON lines (each carries "clip" and "input") or as plain log lines
// ("[a/b] ..."); its session asks nothing (the batch asked). A terminal shows clips on the batch's
// board instead (pipeline/cli/batch_reporters.h).
std::unique_ptr<EditEvents> make_clip_reporter(ReportMode mode, size_t index, const std::string& name);

// `text` written whole to `to`, never cut into by another thread's events.
void print_whole(std::FILE* to, const std::string& text);

// The money question: yes with `assume_yes`, else y/N on the terminal, else cannot_ask (a
// script, a pipe, CI: nothing is billed without an explicit yes).
Consent ask_to_spend(const std::string& question, bool assume_yes);

}  // namespace omnicut::cli
