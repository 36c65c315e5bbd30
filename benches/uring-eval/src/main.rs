//! The io_uring evaluation of issue 19 (evaluation only: nothing here is used by bench-core).
//!
//! One workload, several transports: N keep-alive HTTP/1.1 connections to a loopback server, each
//! sending the same fixed GET and reading the response just far enough to find its end
//! (Content-Length), either closed-loop (the next request as soon as the response is in) or at a
//! fixed total rate (each connection sends on its own schedule, `rate / conns` per second).
//!
//! ```text
//! uring-eval MODE HOST:PORT [--conns 64] [--duration 10] [--rate R] [--tick-us US]
//!   MODE: tokio | uring | uring-single | monoio | compio | probe
//! ```
//!
//! It prints one line of `key=value` fields: requests, seconds, rps, the process's CPU time during
//! the run (getrusage, user + system) and CPU µs per request, and for a fixed rate the sends more
//! than 1 ms after their intended time and the largest such lag. `benches/uring-eval.sh` runs it.
//! `probe` only reports whether io_uring is usable here (an `io_uring_setup` call, as an engine
//! would make at start) and which of the features the `uring` mode wants the kernel has.

#[cfg(target_os = "linux")]
mod http;
#[cfg(target_os = "linux")]
mod others;
#[cfg(target_os = "linux")]
mod rt_tokio;
#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // the provided-buffer ring: memory shared with the kernel
mod uring;
#[cfg(target_os = "linux")]
mod uring_loop;

#[cfg(target_os = "linux")]
fn main() {
    if let Err(e) = http::run(std::env::args().skip(1).collect()) {
        eprintln!("uring-eval: {e}");
        std::process::exit(2);
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("uring-eval: Linux only (io_uring)");
    std::process::exit(2);
}
