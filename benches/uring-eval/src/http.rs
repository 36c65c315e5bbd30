//! What every transport shares: the options, the request, the response framing, the tallies and
//! the CPU clock.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The options of one run.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub conns: usize,
    pub duration: Duration,
    /// Requests per second over all connections; `None` is closed-loop.
    pub rate: Option<f64>,
    /// `uring` at a fixed rate: wake for due sends on this grid (a timer wheel's tick) instead
    /// of at each connection's exact deadline; zero is exact.
    pub tick: Duration,
}

impl Config {
    /// The gap between two intended sends on one connection at a fixed rate.
    pub fn period(&self) -> Option<Duration> {
        self.rate
            .map(|r| Duration::from_secs_f64(self.conns as f64 / r))
    }

    /// Connection `i`'s first intended send: the connections are spread over one period.
    pub fn first_send(&self, start: Instant, i: usize) -> Instant {
        match self.period() {
            Some(p) => start + p.mul_f64(i as f64 / self.conns as f64),
            None => start,
        }
    }
}

/// The one request every connection sends, byte for byte.
pub fn request(addr: SocketAddr) -> Vec<u8> {
    format!("GET / HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: uring-eval\r\nAccept: */*\r\n\r\n")
        .into_bytes()
}

/// What one connection (or the whole run) counted.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    pub requests: u64,
    /// Sum of response times in µs, kept so every transport reads the clock as an engine does.
    pub latency_us: u64,
    /// Sends more than 1 ms after their intended time (fixed rate only).
    pub late: u64,
    pub max_lag_us: u64,
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.requests += o.requests;
        self.latency_us += o.latency_us;
        self.late += o.late;
        self.max_lag_us = self.max_lag_us.max(o.max_lag_us);
    }

    /// Count a send made at `now` that was intended at `due`.
    pub fn sent(&mut self, due: Instant, now: Instant) {
        let lag = now.saturating_duration_since(due).as_micros() as u64;
        if lag > 1000 {
            self.late += 1;
        }
        self.max_lag_us = self.max_lag_us.max(lag);
    }

    pub fn done(&mut self, sent_at: Instant, now: Instant) {
        self.requests += 1;
        self.latency_us += now.saturating_duration_since(sent_at).as_micros() as u64;
    }
}

/// Finds where HTTP/1.1 responses end in a byte stream: the header block, then Content-Length
/// bytes of body. Only what a static nginx page needs (no chunked encoding).
#[derive(Debug, Default)]
pub struct Framer {
    head: Vec<u8>,
    body_left: usize,
    in_body: bool,
}

impl Framer {
    /// Feeds received bytes; returns how many responses they completed.
    pub fn feed(&mut self, mut data: &[u8]) -> Result<u32, String> {
        let mut done = 0;
        while !data.is_empty() {
            if self.in_body {
                let n = self.body_left.min(data.len());
                self.body_left -= n;
                data = &data[n..];
                if self.body_left == 0 {
                    self.in_body = false;
                    done += 1;
                }
                continue;
            }
            // Parse straight from `data` when no partial head is pending (the common case).
            let (used, len) = if self.head.is_empty() {
                match head_end(data) {
                    Some(end) => (end, content_length(&data[..end])?),
                    None => {
                        self.head.extend_from_slice(data);
                        return Ok(done);
                    }
                }
            } else {
                let old = self.head.len();
                self.head.extend_from_slice(data);
                match head_end(&self.head) {
                    Some(end) => {
                        let len = content_length(&self.head[..end])?;
                        self.head.clear();
                        (end - old, len)
                    }
                    None => return Ok(done),
                }
            };
            data = &data[used..];
            if len == 0 {
                done += 1;
            } else {
                self.in_body = true;
                self.body_left = len;
            }
        }
        Ok(done)
    }
}

fn head_end(b: &[u8]) -> Option<usize> {
    b.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

fn content_length(head: &[u8]) -> Result<usize, String> {
    if !head.starts_with(b"HTTP/1.1 200") {
        return Err(format!(
            "unexpected response: {:?}",
            String::from_utf8_lossy(head)
        ));
    }
    for line in head.split(|&c| c == b'\n') {
        if line.len() > 15 && line[..15].eq_ignore_ascii_case(b"content-length:") {
            let v = std::str::from_utf8(&line[15..]).map_err(|e| e.to_string())?;
            return v
                .trim()
                .parse()
                .map_err(|e| format!("Content-Length {v:?}: {e}"));
        }
    }
    Err("response without Content-Length".into())
}

/// User + system CPU time of this process so far, and its voluntary context switches (each one
/// a sleep in epoll_wait or io_uring_enter and a wake-up).
#[allow(unsafe_code)] // getrusage
pub fn cpu_time() -> (Duration, u64) {
    // SAFETY: getrusage only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF and a valid pointer.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (tv(ru.ru_utime) + tv(ru.ru_stime), ru.ru_nvcsw as u64)
}

/// Blocking connects (setup, outside the measured loop), Nagle off.
pub fn connect_all(cfg: &Config) -> Result<Vec<std::net::TcpStream>, String> {
    (0..cfg.conns)
        .map(|_| {
            let s = std::net::TcpStream::connect(cfg.addr)
                .map_err(|e| format!("connect {}: {e}", cfg.addr))?;
            s.set_nodelay(true).map_err(|e| e.to_string())?;
            Ok(s)
        })
        .collect()
}

fn parse(args: &[String]) -> Result<(String, Config), String> {
    let usage = "usage: uring-eval MODE HOST:PORT [--conns N] [--duration SECS] [--rate REQ_PER_S] [--tick-us US]";
    let [mode, addr, rest @ ..] = args else {
        return Err(usage.into());
    };
    let addr: SocketAddr = addr.parse().map_err(|e| format!("address {addr:?}: {e}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("{addr}: only loopback servers"));
    }
    let mut cfg = Config {
        addr,
        conns: 64,
        duration: Duration::from_secs(10),
        rate: None,
        tick: Duration::ZERO,
    };
    for pair in rest.chunks(2) {
        let [k, v] = pair else {
            return Err(usage.into());
        };
        let num = |v: &str| v.parse::<f64>().map_err(|e| format!("{k} {v:?}: {e}"));
        match k.as_str() {
            "--conns" => cfg.conns = num(v)? as usize,
            "--duration" => cfg.duration = Duration::from_secs_f64(num(v)?),
            "--rate" => cfg.rate = Some(num(v)?),
            "--tick-us" => cfg.tick = Duration::from_secs_f64(num(v)? / 1e6),
            _ => return Err(format!("unknown flag {k}\n{usage}")),
        }
    }
    if cfg.conns == 0 || cfg.conns > 4096 || cfg.rate.is_some_and(|r| r <= 0.0) {
        return Err("--conns must be 1..=4096 and --rate above 0".into());
    }
    Ok((mode.clone(), cfg))
}

/// Runs MODE and prints its line.
pub fn run(args: Vec<String>) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("probe") {
        println!("{}", crate::uring::probe());
        return Ok(());
    }
    let (mode, cfg) = parse(&args)?;
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    let tally = match mode.as_str() {
        "tokio" => crate::rt_tokio::run(&cfg)?,
        "uring" => crate::uring::run(&cfg, true)?,
        "uring-single" => crate::uring::run(&cfg, false)?,
        "monoio" => crate::others::monoio(&cfg)?,
        "compio" => crate::others::compio(&cfg)?,
        m => return Err(format!("unknown mode {m}")),
    };
    let secs = t0.elapsed().as_secs_f64();
    let cpu1 = cpu_time();
    let (cpu, sleeps) = ((cpu1.0 - cpu0.0).as_secs_f64(), cpu1.1 - cpu0.1);
    let n = tally.requests.max(1) as f64;
    println!(
        "mode={mode} conns={} rate={} tick_us={} requests={} secs={secs:.3} rps={:.0} cpu_s={cpu:.3} \
         cpu_us_per_req={:.3} sleeps_per_req={:.3} mean_latency_us={:.1} late={} max_lag_us={}",
        cfg.conns,
        cfg.rate.map_or("closed".into(), |r| format!("{r}")),
        cfg.tick.as_micros(),
        tally.requests,
        tally.requests as f64 / secs,
        cpu * 1e6 / n,
        sleeps as f64 / n,
        tally.latency_us as f64 / n,
        tally.late,
        tally.max_lag_us
    );
    if tally.requests == 0 {
        return Err("no responses".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Framer;

    const RESP: &[u8] = b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\n\r\nhello";

    #[test]
    fn whole_split_and_back_to_back_responses_are_counted_once_each() {
        let mut f = Framer::default();
        assert_eq!(f.feed(RESP), Ok(1));
        // Split at every byte: the head across reads, then the body across reads.
        for cut in 1..RESP.len() {
            let mut f = Framer::default();
            let n = f.feed(&RESP[..cut]).unwrap_or(9) + f.feed(&RESP[cut..]).unwrap_or(9);
            assert_eq!(n, 1, "cut at {cut}");
        }
        let two = [RESP, RESP].concat();
        assert_eq!(Framer::default().feed(&two), Ok(2));
    }

    #[test]
    fn a_response_without_length_or_not_200_is_an_error() {
        let no_len = b"HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n";
        assert!(Framer::default().feed(no_len).is_err());
        let not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        assert!(Framer::default().feed(not_found).is_err());
    }
}
