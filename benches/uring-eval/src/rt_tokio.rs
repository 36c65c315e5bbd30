//! The baseline: a tokio current-thread runtime (epoll), one task per connection, as the engine.

use std::rc::Rc;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::http::{connect_all, request, Config, Framer, Tally};

pub fn run(cfg: &Config) -> Result<Tally, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| e.to_string())?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async {
        let req: Rc<[u8]> = request(cfg.addr).into();
        let start = Instant::now();
        let end = start + cfg.duration;
        let mut tasks = Vec::new();
        for (i, s) in connect_all(cfg)?.into_iter().enumerate() {
            s.set_nonblocking(true).map_err(|e| e.to_string())?;
            let s = tokio::net::TcpStream::from_std(s).map_err(|e| e.to_string())?;
            let first = cfg.first_send(start, i);
            tasks.push(tokio::task::spawn_local(conn(
                s,
                req.clone(),
                cfg.period(),
                first,
                end,
            )));
        }
        let mut total = Tally::default();
        for t in tasks {
            total.add(&t.await.map_err(|e| e.to_string())??);
        }
        Ok(total)
    })
}

async fn conn(
    mut s: tokio::net::TcpStream,
    req: Rc<[u8]>,
    period: Option<std::time::Duration>,
    mut due: Instant,
    end: Instant,
) -> Result<Tally, String> {
    let mut t = Tally::default();
    let mut framer = Framer::default();
    let mut buf = vec![0u8; 4096];
    loop {
        if period.is_some() {
            if due >= end {
                return Ok(t);
            }
            tokio::time::sleep_until(due.into()).await;
        }
        let sent = Instant::now();
        if let Some(p) = period {
            t.sent(due, sent);
            due += p;
        }
        s.write_all(&req).await.map_err(|e| e.to_string())?;
        loop {
            let n = s.read(&mut buf).await.map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("server closed the connection".into());
            }
            if framer.feed(&buf[..n])? > 0 {
                break;
            }
        }
        let now = Instant::now();
        t.done(sent, now);
        if period.is_none() && now >= end {
            return Ok(t);
        }
    }
}
