// The public API names endpoints by id, "" meaning the table's default.
#pragma once
#include <string>

#include "model/endpoints.h"

namespace omnicut::api {

inline const Endpoint& endpoint_named(const std::string& id) {
  return id.empty() ? default_endpoint() : find_endpoint(id);
}

}  // namespace omnicut::api
