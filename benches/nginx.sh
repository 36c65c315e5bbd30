# shellcheck shell=bash
# The loopback nginx the HTTP comparison scripts measure against (sourced, not run).
#
#   . benches/nginx.sh
#   nginx_start DIR CPU [http2]   # sets NGINX_PORT, NGINX_URL, NGINX_PID; logs in DIR/nginx
#   nginx_stop
#
# One worker pinned to core CPU, a 69-byte static page on a free 127.0.0.1 port, access log off,
# keep-alive for the whole run. With "http2" the port speaks cleartext HTTP/2 (h2c with prior
# knowledge, as h2load and tailguard's version = "2" on http:// do) instead of HTTP/1.1.
# Needs nginx, taskset and ss; callers check for them.

NGINX_PID=""

nginx_free_port() {
    local p
    for p in $(seq 18080 18999); do
        if [[ -z $(ss -Hltn "sport = :$p" 2>/dev/null) ]]; then
            echo "$p"
            return
        fi
    done
    echo "no free port in 18080-18999" >&2
    return 1
}

nginx_conf() { # dir port listen-options
    local ngx=$1 port=$2 opts=$3
    cat <<EOF
worker_processes 1;
daemon off;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections ${NGINX_WORKER_CONNECTIONS:-4096}; }
http {
    access_log off;
    client_body_temp_path $ngx/tmp/body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    # Keep connections for the whole run: measure requests, not reconnects.
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    http2_max_requests 100000000;
    http2_max_concurrent_streams 256;
    server {
        listen 127.0.0.1:$port$opts;
        root $ngx/html;
        index index.html;
    }
}
EOF
}

nginx_probe() { # port
    (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && head -c 12 <&3) 2>/dev/null |
        grep -q ' 200'
}

nginx_start() { # dir cpu [http2]
    local dir=$1 cpu=$2 opts=""
    [[ ${3:-} == http2 ]] && opts=" http2"
    local ngx="$dir/nginx${opts:+-h2}"
    NGINX_PORT=$(nginx_free_port)
    NGINX_URL="http://127.0.0.1:$NGINX_PORT/"
    mkdir -p "$ngx/html" "$ngx/tmp"
    # A small static page (the worker runs as nobody when started by root: make it readable).
    printf '<!doctype html><title>tailguard bench</title><p>hello from nginx</p>\n' >"$ngx/html/index.html"
    chmod 755 "$dir" "$ngx" "$ngx/html"
    chmod 644 "$ngx/html/index.html"
    nginx_conf "$ngx" "$NGINX_PORT" "$opts" >"$ngx/nginx.conf"
    local bin
    bin=$(command -v nginx || echo /usr/sbin/nginx)
    taskset -c "$cpu" "$bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" >"$ngx/stdout.log" 2>&1 &
    NGINX_PID=$!
    local _
    for _ in $(seq 50); do
        if [[ -n $opts ]] && [[ -n $(ss -Hltn "sport = :$NGINX_PORT" 2>/dev/null) ]]; then return 0; fi
        if [[ -z $opts ]] && nginx_probe "$NGINX_PORT"; then return 0; fi
        kill -0 "$NGINX_PID" 2>/dev/null || {
            echo "nginx exited: $(cat "$ngx/error.log" "$ngx/stdout.log" 2>/dev/null)" >&2
            return 1
        }
        sleep 0.1
    done
    echo "nginx does not answer on $NGINX_URL" >&2
    return 1
}

nginx_stop() {
    if [[ -n $NGINX_PID ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -QUIT "$NGINX_PID" 2>/dev/null || true
        local _
        for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$NGINX_PID" 2>/dev/null || true
    fi
    NGINX_PID=""
}
