# Sourced by the bench scripts that start `vigil serve --port 0 2>LOG`.
# server_port LOG: waits up to two minutes for the server to print where it
# listens and prints the port; without it, prints the log and fails.
server_port() {
  local log=$1 port=
  for _ in $(seq 1 1200); do
    grep -q "listening on" "$log" && break
    sleep 0.1
  done
  port=$(sed -n 's/.*listening on http:\/\/[0-9.]*:\([0-9]*\).*/\1/p' "$log")
  if [[ -z "$port" ]]; then
    echo "bench: vigil serve did not start:" >&2
    cat "$log" >&2
    return 1
  fi
  echo "$port"
}
