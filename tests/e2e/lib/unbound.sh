# The server: clause every e2e Unbound starts with (sourced; POSIX sh): listening on
# 127.0.0.1:PORT only, in the foreground, no privileges dropped, its files in DIR (unbound.pid,
# unbound.log), loopback clients allowed. The caller appends its own server: lines and clauses:
#
#   { unbound_server "$PORT" "$W"; cat <<EOF
#   	local-zone: "e2e.test." static
#   remote-control: ...
#   EOF
#   } >"$W/unbound.conf"
unbound_server() { # port dir
	cat <<EOF
server:
	interface: 127.0.0.1
	port: $1
	do-ip6: no
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$2"
	pidfile: "$2/unbound.pid"
	logfile: "$2/unbound.log"
	use-syslog: no
	verbosity: 1
	access-control: 127.0.0.0/8 allow
EOF
}
