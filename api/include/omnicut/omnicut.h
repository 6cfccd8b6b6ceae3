// omnicut's public C++ API: everything a program embedding omnicut includes. One header per job:
//   omnicut/probe.h     probe()      what a file holds, and prep's verdict on it
//   omnicut/prep.h      plan_prep(), prep()  an endpoint-ready clip, and the plan beforehand
//   omnicut/estimate.h  estimate()   what editing files would cost, before anything is sent
//   omnicut/edit.h      edit()       a whole edit session on fal (or the built-in emulator)
//   omnicut/error.h     omnicut::Error and ErrorKind, the one exception every function throws
//   omnicut/version.h   OMNICUT_VERSION
// With CMake: find_package(omnicut REQUIRED) and link omnicut::omnicut.
#pragma once
#include <string>

#include "omnicut/edit.h"
#include "omnicut/error.h"
#include "omnicut/estimate.h"
#include "omnicut/prep.h"
#include "omnicut/probe.h"
#include "omnicut/version.h"

namespace omnicut::api {

// The version of the library linked in (OMNICUT_VERSION is the headers').
std::string version();

// Asks every prep() and edit() running in this process to stop at its next check: they throw
// ErrorKind::interrupted, leaving no partial output and a consistent ledger. The request stays
// until clear_stop(); it is what the `omnicut` tool does on Ctrl-C.
void request_stop();
void clear_stop();

}  // namespace omnicut::api
