#include "pipeline/cli/command.h"

#include <unistd.h>

#include "client/library_versions.h"
#include "codecs/library_versions.h"
#include "omnicut/version.h"

namespace omnicut::cli {

bool want_json(bool json_flag) { return json_flag || !isatty(STDOUT_FILENO); }
bool stderr_is_tty() { return isatty(STDERR_FILENO); }

std::string version_text() {
  return "omnicut " OMNICUT_VERSION "\n" + av::library_versions() + "\n" + client::library_versions();
}

}  // namespace omnicut::cli
