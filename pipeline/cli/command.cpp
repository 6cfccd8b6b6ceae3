#include "pipeline/cli/command.h"

#include <unistd.h>

namespace omnicut::cli {

bool want_json(bool json_flag) { return json_flag || !isatty(STDOUT_FILENO); }
bool stderr_is_tty() { return isatty(STDERR_FILENO); }

}  // namespace omnicut::cli
