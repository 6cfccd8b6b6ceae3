// The steps of an edit session (pipeline/edit_session.h), shared by its files: one turn on fal's
// queue (edit_turn.cpp), the final download + remux (edit_finish.cpp), and --split's segments
// (edit_split.cpp).
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "codecs/media_info.h"
#include "common/error.h"
#include "pipeline/edit/edit_session.h"

namespace omnicut {

// The session and where it lives; every save() is atomic (pipeline/ledger.h).
struct SessionFile {
  Session session;
  std::string path;
  std::string parent;  // a --split segment's: the session the user resumes (its own ledger is inside)
  // The source as this run probed it before the estimate (a new session, by the ledger's path):
  // prep and split plan from it instead of probing again. Empty when resumed: prep, if still to
  // run, probes once.
  std::optional<MediaInfo> source_info = std::nullopt;
  void save() { save_session(session, path); }
  const std::string& resume_path() const { return parent.empty() ? path : parent; }
};

// Submits (or, when already submitted, polls) turn `index` and records its result. The ledger
// holds the request_id and queue URLs before waiting. Throws on failure or Ctrl-C, with the
// ledger saved.
void run_turn(SessionFile& file, size_t index, const EditOptions& options, EditContext& context);

// Downloads the last turn's result (and every turn's with keep_turns), remuxes the source's
// audio under it into OUT, and returns what the remux did.
nlohmann::json finish_output(SessionFile& file, const EditOptions& options, EditContext& context,
                             const std::filesystem::path& work_dir);

// Downloads turn `t`'s result to `dest` (skipped when it is already there, whole) and records it.
void download_result(SessionFile& file, TurnRecord& t, const std::filesystem::path& dest, EditContext& context);

// Uploads the prepped file (session.prep.output) once and records its URL.
void upload_prepped(SessionFile& file, EditContext& context);

// A --local session resumed on a new emulator: its remote steps are reset to run again there.
// Throws Error(usage) when the session and this run disagree about --local.
void rebase_local(Session& session, const EditContext& context);

// The --split session in `file` (new: the source is split here; resumed: its segments' ledgers
// are picked up). Same refusals and guarantees as run_edit.
EditOutcome run_split_edit(SessionFile& file, const EditOptions& options, EditContext& context);

// The folder beside OUT where prep and downloads live until OUT is written.
std::filesystem::path work_dir_for(const std::string& ledger_path);

}  // namespace omnicut
