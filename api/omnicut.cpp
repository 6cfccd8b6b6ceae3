#include "omnicut/omnicut.h"

#include "common/interrupt.h"

namespace omnicut::api {

std::string version() { return OMNICUT_VERSION; }

void request_stop() { interrupt_count().fetch_add(1); }
void clear_stop() { interrupt_count().store(0); }

}  // namespace omnicut::api
