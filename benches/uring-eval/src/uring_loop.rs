//! The io_uring event loop: every connection's sends and receives on one ring, submitted in one
//! `io_uring_enter` per loop turn; at a fixed rate the loop owns the schedule (a deadline heap,
//! one entry per idle connection) and waits for completions with the next deadline as timeout.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use io_uring::{cqueue, opcode, squeue, types, IoUring};

use crate::http::{connect_all, request, Config, Framer, Tally};
use crate::uring::{ring, BufRing};

const RECV: u64 = 0;
const SEND: u64 = 1;
const BUF_GROUP: u16 = 0;
const BUF_SIZE: usize = 4096;

struct Conn {
    fd: types::Fd,
    framer: Framer,
    sent_at: Instant,
    due: Instant,
    /// Single-shot mode's receive buffer, reused for every response.
    buf: Vec<u8>,
}

struct Loop<'a> {
    cfg: &'a Config,
    ring: IoUring,
    req: Vec<u8>,
    conns: Vec<Conn>,
    bufs: Option<BufRing>,
    heap: BinaryHeap<Reverse<(Instant, usize)>>,
    tally: Tally,
    start: Instant,
    end: Instant,
}

pub fn run(cfg: &Config, multishot: bool) -> Result<Tally, String> {
    let socks = connect_all(cfg)?;
    let (ring, _) = ring().map_err(|e| format!("io_uring_setup: {e}"))?;
    let bufs = if multishot {
        // Enough buffers for every connection to have a few responses in flight.
        let n = (cfg.conns * 4).next_power_of_two().clamp(64, 32768) as u16;
        Some(BufRing::new(&ring, n, BUF_SIZE, BUF_GROUP)?)
    } else {
        None
    };
    let start = Instant::now();
    let conns = socks
        .iter()
        .enumerate()
        .map(|(i, s)| Conn {
            fd: types::Fd(s.as_raw_fd()),
            framer: Framer::default(),
            sent_at: start,
            due: cfg.first_send(start, i),
            buf: if multishot {
                Vec::new()
            } else {
                vec![0; BUF_SIZE]
            },
        })
        .collect();
    let mut lp = Loop {
        cfg,
        ring,
        req: request(cfg.addr),
        conns,
        bufs,
        heap: BinaryHeap::new(),
        tally: Tally::default(),
        start,
        end: start + cfg.duration,
    };
    for i in 0..cfg.conns {
        lp.arm_recv(i)?;
        if cfg.rate.is_some() {
            lp.heap.push(Reverse((lp.conns[i].due, i)));
        } else {
            lp.send(i, start)?;
        }
    }
    lp.run()?;
    // The sockets close after the ring (and the buffer ring) are gone.
    let tally = lp.tally;
    drop(lp);
    drop(socks);
    Ok(tally)
}

impl Loop<'_> {
    #[allow(unsafe_code)] // submission entries point at buffers the kernel uses later
    fn push(&mut self, e: squeue::Entry) -> Result<(), String> {
        // SAFETY: the buffers an entry points at (the request, the connection's receive buffer,
        // the buffer ring) live as long as the loop, which outlives the ring's use of them.
        while unsafe { self.ring.submission().push(&e) }.is_err() {
            self.ring
                .submit()
                .map_err(|e| format!("io_uring_enter: {e}"))?;
        }
        Ok(())
    }

    fn arm_recv(&mut self, i: usize) -> Result<(), String> {
        let c = &mut self.conns[i];
        let e = match self.bufs {
            Some(_) => opcode::RecvMulti::new(c.fd, BUF_GROUP).build(),
            None => opcode::Recv::new(c.fd, c.buf.as_mut_ptr(), c.buf.len() as u32).build(),
        };
        self.push(e.user_data((i as u64) << 1 | RECV))
    }

    fn send(&mut self, i: usize, now: Instant) -> Result<(), String> {
        let c = &mut self.conns[i];
        c.sent_at = now;
        // Only a failed send completes: a successful one posts no CQE (SKIP_SUCCESS, 5.17+).
        let e = opcode::Send::new(c.fd, self.req.as_ptr(), self.req.len() as u32)
            .build()
            .flags(squeue::Flags::SKIP_SUCCESS)
            .user_data((i as u64) << 1 | SEND);
        self.push(e)
    }

    fn run(&mut self) -> Result<(), String> {
        let mut cqes: Vec<cqueue::Entry> = Vec::with_capacity(4 * self.cfg.conns);
        loop {
            let now = Instant::now();
            if now >= self.end {
                return Ok(());
            }
            while let Some(&Reverse((due, i))) = self.heap.peek() {
                if due > now {
                    break;
                }
                self.heap.pop();
                self.tally.sent(due, now);
                self.send(i, now)?;
            }
            self.wait(now)?;
            cqes.extend(self.ring.completion());
            let now = Instant::now();
            for cqe in cqes.drain(..) {
                self.complete(&cqe, now)?;
            }
            if let Some(b) = &self.bufs {
                b.publish();
            }
        }
    }

    /// Submits what is queued and waits for one completion, or until the next deadline.
    fn wait(&mut self, now: Instant) -> Result<(), String> {
        let mut next = self
            .heap
            .peek()
            .map_or(self.end, |Reverse((d, _))| (*d).min(self.end));
        if !self.cfg.tick.is_zero() {
            // The next tick at or after the deadline: the sends due by then go out together.
            let tick = self.cfg.tick.as_nanos();
            let at = next
                .saturating_duration_since(self.start)
                .as_nanos()
                .div_ceil(tick)
                * tick;
            next = self.start + Duration::from_nanos(at as u64);
        }
        let r = if self.cfg.rate.is_some() {
            let left = next
                .saturating_duration_since(now)
                .max(Duration::from_micros(1));
            let ts = types::Timespec::from(left);
            let args = types::SubmitArgs::new().timespec(&ts);
            self.ring.submitter().submit_with_args(1, &args)
        } else {
            self.ring.submit_and_wait(1)
        };
        match r {
            Ok(_) => Ok(()),
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ETIME | libc::EINTR | libc::EBUSY)
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(format!("io_uring_enter: {e}")),
        }
    }

    fn complete(&mut self, cqe: &cqueue::Entry, now: Instant) -> Result<(), String> {
        let i = (cqe.user_data() >> 1) as usize;
        let res = cqe.result();
        if cqe.user_data() & 1 == SEND {
            return Err(format!(
                "send on connection {i}: {}",
                std::io::Error::from_raw_os_error(-res)
            ));
        }
        if res == -libc::ENOBUFS {
            return self.arm_recv(i); // the buffer ring ran dry: the multishot receive stopped
        }
        if res <= 0 {
            let why = if res == 0 {
                "closed by the server".into()
            } else {
                std::io::Error::from_raw_os_error(-res).to_string()
            };
            return Err(format!("receive on connection {i}: {why}"));
        }
        let done = match &mut self.bufs {
            Some(b) => {
                let bid = cqueue::buffer_select(cqe.flags())
                    .ok_or("a multishot receive without a buffer")?;
                let d = self.conns[i].framer.feed(b.get(bid, res as usize));
                b.recycle(bid);
                if !cqueue::more(cqe.flags()) {
                    self.arm_recv(i)?;
                }
                d?
            }
            None => {
                let c = &mut self.conns[i];
                let d = c.framer.feed(&c.buf[..res as usize])?;
                self.arm_recv(i)?;
                d
            }
        };
        if done > 0 {
            self.responded(i, now)?;
        }
        Ok(())
    }

    /// A response is complete: send the next request now (closed) or when it is due.
    fn responded(&mut self, i: usize, now: Instant) -> Result<(), String> {
        let c = &mut self.conns[i];
        self.tally.done(c.sent_at, now);
        let Some(p) = self.cfg.period() else {
            return self.send(i, now);
        };
        c.due += p;
        if c.due <= now {
            let due = c.due;
            self.tally.sent(due, now);
            self.send(i, now)
        } else {
            self.heap.push(Reverse((c.due, i)));
            Ok(())
        }
    }
}
