// The error type lives in the public API (api/include/omnicut/error.h), since a program embedding
// omnicut catches it too; the project's own code keeps including it by this name.
#pragma once
#include "omnicut/error.h"
