//! Raw TCP servers on 127.0.0.1 that misbehave on purpose, each stopping by itself after a
//! bounded time (or when dropped).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How a [`RawServer`] treats each connection.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    /// Accept and never answer (a hung target).
    Hang,
    /// Answer one request with `200` and close the connection without `Connection: close`.
    CloseAfterEachResponse,
    /// Answer requests with `200` (keep-alive) and close a connection idle for this long.
    IdleClose(Duration),
    /// Answer every request with a redirect to `/login`.
    Redirect,
}

/// A server on 127.0.0.1 that stops after `lifetime` or when dropped.
pub struct RawServer {
    pub addr: SocketAddr,
    /// Connections accepted so far.
    pub accepted: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl RawServer {
    pub fn start(behaviour: Behaviour, lifetime: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicU64::new(0));
        let (s, a) = (stop.clone(), accepted.clone());
        let handle = std::thread::spawn(move || {
            let until = Instant::now() + lifetime;
            let mut held = Vec::new();
            while !s.load(Ordering::SeqCst) && Instant::now() < until {
                match listener.accept() {
                    Ok((conn, _)) => {
                        a.fetch_add(1, Ordering::SeqCst);
                        match behaviour {
                            Behaviour::Hang => held.push(conn),
                            _ => {
                                let s = s.clone();
                                std::thread::spawn(move || serve(conn, behaviour, &s, until));
                            }
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Self {
            addr,
            accepted,
            stop,
            handle: Some(handle),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn serve(mut conn: TcpStream, behaviour: Behaviour, stop: &AtomicBool, until: Instant) {
    let idle = match behaviour {
        Behaviour::IdleClose(d) => d,
        _ => Duration::from_millis(100),
    };
    let _ = conn.set_read_timeout(Some(idle));
    let mut buf = [0u8; 4096];
    let mut pending = Vec::new();
    while !stop.load(Ordering::SeqCst) && Instant::now() < until {
        let n = match conn.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            // Idle for `idle`: an idle-closing server closes here; the others keep waiting.
            Err(_) if matches!(behaviour, Behaviour::IdleClose(_)) => return,
            Err(_) => continue,
        };
        pending.extend_from_slice(&buf[..n]);
        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            pending.drain(..end + 4);
            let response: &[u8] = match behaviour {
                Behaviour::Redirect => {
                    b"HTTP/1.1 302 Found\r\nlocation: /login\r\ncontent-length: 0\r\n\r\n"
                }
                _ => b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
            };
            if conn.write_all(response).is_err() {
                return;
            }
            if matches!(behaviour, Behaviour::CloseAfterEachResponse) {
                return;
            }
        }
    }
}
