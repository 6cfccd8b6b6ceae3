// fal's completion webhook (`?fal_webhook=URL` on submit): one JSON POST when the job completes,
// {request_id, gateway_request_id, status "OK"|"ERROR", payload, error}. Delivered only to http
// URLs on loopback, unsigned (fal signs with Ed25519; the emulator has no keys to sign with).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace omnicut::emulator {

// Tries three times, a second apart; gives up quietly (fal retries for hours, then gives up too).
void deliver_webhook(const std::string& url, const nlohmann::json& body);

}  // namespace omnicut::emulator
