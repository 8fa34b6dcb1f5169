# Sourced by tests/e2e/clickhouse.sh and scripts/bench-clickhouse.sh: a clickhouse-server of
# its own in $D/ch (configuration, data, logs), HTTP on a free port of 127.0.0.1 ($HP), started
# by ch_start (waiting on /ping: start-up can be slow on a busy machine) and stopped by ch_stop.
# The caller sets D and a trap that calls ch_stop.
CH=/usr/sbin/clickhouse-server
chpid=""
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ch_setup() {
  HP=$(free_port); TP=$(free_port)
  mkdir -p "$D/ch/data" "$D/ch/tmp" "$D/ch/log" "$D/ch/user_files"
  cat > "$D/ch/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$D/ch/log/server.log</log><errorlog>$D/ch/log/err.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$HP</http_port>
  <tcp_port>$TP</tcp_port>
  <path>$D/ch/data/</path>
  <tmp_path>$D/ch/tmp/</tmp_path>
  <user_files_path>$D/ch/user_files/</user_files_path>
  <format_schema_path>$D/ch/format_schemas/</format_schema_path>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
  <timezone>UTC</timezone>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <users_config>$D/ch/users.xml</users_config>
</yandex>
XML
  cat > "$D/ch/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
  U="clickhouse://127.0.0.1:$HP"
}
ch_start() {
  "$CH" --config-file="$D/ch/config.xml" >>"$D/ch/log/stdout.log" 2>&1 &
  chpid=$!
  i=0
  until [ "$(curl -s --noproxy '*' "http://127.0.0.1:$HP/ping")" = "Ok." ]; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$chpid" 2>/dev/null; then
      echo "clickhouse-server did not start"; tail -20 "$D/ch/log/err.log" "$D/ch/log/stdout.log"; return 1
    fi
    sleep 0.1
  done
}
ch_stop() { [ -n "$chpid" ] || return 0; kill "$chpid" 2>/dev/null; wait "$chpid" 2>/dev/null; chpid=""; }
q() { curl -sS --noproxy '*' "http://127.0.0.1:$HP/" --data-binary "$1"; }
