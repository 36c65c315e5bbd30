//! The io_uring runtimes: monoio and compio, one task per connection with owned buffers
//! (completion-based I/O). Closed-loop only.

use std::rc::Rc;
use std::time::Instant;

use crate::http::{connect_all, request, Config, Framer, Tally};

fn closed_only(cfg: &Config) -> Result<(), String> {
    match cfg.rate {
        Some(_) => Err("monoio and compio are measured closed-loop only".into()),
        None => Ok(()),
    }
}

pub fn monoio(cfg: &Config) -> Result<Tally, String> {
    use monoio::io::{AsyncReadRent, AsyncWriteRentExt};
    closed_only(cfg)?;
    let mut rt = monoio::RuntimeBuilder::<monoio::IoUringDriver>::new()
        .with_entries(4096)
        .build()
        .map_err(|e| format!("monoio io_uring runtime: {e}"))?;
    rt.block_on(async {
        let req: Rc<Vec<u8>> = Rc::new(request(cfg.addr));
        let end = Instant::now() + cfg.duration;
        let mut tasks = Vec::new();
        for s in connect_all(cfg)? {
            let mut s = monoio::net::TcpStream::from_std(s).map_err(|e| e.to_string())?;
            let req = req.clone();
            tasks.push(monoio::spawn(async move {
                let (mut t, mut framer) = (Tally::default(), Framer::default());
                let (mut out, mut buf) = ((*req).clone(), Vec::with_capacity(4096));
                loop {
                    let sent = Instant::now();
                    let (r, o) = s.write_all(out).await;
                    out = o;
                    r.map_err(|e| e.to_string())?;
                    loop {
                        buf.clear();
                        let (r, b) = s.read(buf).await;
                        buf = b;
                        match r.map_err(|e| e.to_string())? {
                            0 => return Err("server closed the connection".to_string()),
                            _ if framer.feed(&buf)? > 0 => break,
                            _ => {}
                        }
                    }
                    let now = Instant::now();
                    t.done(sent, now);
                    if now >= end {
                        return Ok(t);
                    }
                }
            }));
        }
        let mut total = Tally::default();
        for t in tasks {
            total.add(&t.await?);
        }
        Ok(total)
    })
}

pub fn compio(cfg: &Config) -> Result<Tally, String> {
    use compio::io::{AsyncRead, AsyncWriteExt};
    closed_only(cfg)?;
    let rt = compio::runtime::Runtime::new().map_err(|e| format!("compio runtime: {e}"))?;
    rt.block_on(async {
        let req: Rc<Vec<u8>> = Rc::new(request(cfg.addr));
        let end = Instant::now() + cfg.duration;
        let mut tasks = Vec::new();
        for s in connect_all(cfg)? {
            let mut s = compio::net::TcpStream::from_std(s).map_err(|e| e.to_string())?;
            let req = req.clone();
            tasks.push(compio::runtime::spawn(async move {
                let (mut t, mut framer) = (Tally::default(), Framer::default());
                let (mut out, mut buf) = ((*req).clone(), Vec::with_capacity(4096));
                loop {
                    let sent = Instant::now();
                    let compio::BufResult(r, o) = s.write_all(out).await;
                    out = o;
                    r.map_err(|e| e.to_string())?;
                    loop {
                        buf.clear();
                        let compio::BufResult(r, b) = s.read(buf).await;
                        buf = b;
                        match r.map_err(|e| e.to_string())? {
                            0 => return Err("server closed the connection".to_string()),
                            _ if framer.feed(&buf)? > 0 => break,
                            _ => {}
                        }
                    }
                    let now = Instant::now();
                    t.done(sent, now);
                    if now >= end {
                        return Ok(t);
                    }
                }
            }));
        }
        let mut total = Tally::default();
        for t in tasks {
            let r = t.await.map_err(|_| "a compio task panicked".to_string())?;
            total.add(&r?);
        }
        Ok(total)
    })
}
