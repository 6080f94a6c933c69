#pragma once
// The names of every table and key the config file accepts, in file order. For suggestions,
// documentation checks and tests; the readers behind the names are in schema.h.

#include <string>
#include <string_view>
#include <vector>

namespace gw::config {

// "listener", "upstream", ...
std::vector<std::string> known_tables();
// The keys of one table: "address", "max_connections".
std::vector<std::string> known_keys_of(std::string_view table);
// Every key as "table.key".
std::vector<std::string> known_dotted_keys();

}  // namespace gw::config
