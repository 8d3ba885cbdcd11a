// The operator's commands on a service data directory, run while the server
// is up or down (SQLite's locking lets both share the store):
//
//   vigil keys create --data-dir DIR --role ROLE [--name N]   prints the key, once
//   vigil keys list   --data-dir DIR                          ids, names, roles, never keys
//   vigil keys revoke --data-dir DIR --id KEY_ID
//   vigil archive     --data-dir DIR [--older-than-days 90]
//
// A running server sees a new key on its first use and a revocation within
// ApiKeys::kRefreshInterval (5 s; api_keys.h).
#ifndef VIGIL_SERVICE_ADMIN_COMMANDS_H_
#define VIGIL_SERVICE_ADMIN_COMMANDS_H_

#include <cstdio>
#include <string>

#include "common/status.h"

namespace vigil {

// Writes only the new key and a newline to `out`; what it is to `log`.
[[nodiscard]] Status RunKeysCreate(const std::string& data_dir, const std::string& role,
                                   const std::string& name, FILE* out, FILE* log);
[[nodiscard]] Status RunKeysList(const std::string& data_dir, FILE* out);
[[nodiscard]] Status RunKeysRevoke(const std::string& data_dir, const std::string& key_id,
                                   FILE* out);

// Moves decisions older than `older_than_days` to compressed files under
// DIR/archive and removes them from the hot store.
[[nodiscard]] Status RunArchive(const std::string& data_dir, int older_than_days, FILE* out);

}  // namespace vigil

#endif  // VIGIL_SERVICE_ADMIN_COMMANDS_H_
