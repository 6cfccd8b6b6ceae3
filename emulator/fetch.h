// Getting a job's video_url onto disk: a file in the emulator's own storage is used in place;
// an http URL on loopback is downloaded; anything else is refused (the emulator never reaches
// off the machine).
#pragma once
#include <filesystem>
#include <string>

namespace omnicut::emulator {

struct Context;

// Returns the local path of the video. Throws JobError 422 (loc video_url) when it cannot.
std::filesystem::path fetch_video(Context& ctx, const std::string& url, const std::filesystem::path& dest);

}  // namespace omnicut::emulator
