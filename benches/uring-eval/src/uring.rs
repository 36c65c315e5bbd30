//! The raw `io-uring` crate: the ring (with the setup flags a single engine thread can use), the
//! provided-buffer ring that multishot receive draws from, and the start-up probe.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::sync::atomic::{AtomicU16, Ordering};

use io_uring::types::BufRingEntry;
use io_uring::{opcode, IoUring};

use crate::http::{Config, Tally};

/// Submission queue size; twice the connections' sends and receives fit with room to spare.
pub const ENTRIES: u32 = 4096;

/// A ring for one thread: SINGLE_ISSUER + DEFER_TASKRUN (6.1+: completions are run only when
/// the thread waits for them, in one batch) when the kernel has them, a plain ring otherwise.
pub fn ring() -> std::io::Result<(IoUring, &'static str)> {
    match IoUring::builder()
        .setup_single_issuer()
        .setup_defer_taskrun()
        .build(ENTRIES)
    {
        Ok(r) => Ok((r, "single_issuer+defer_taskrun")),
        Err(_) => IoUring::new(ENTRIES).map(|r| (r, "plain")),
    }
}

/// Page-aligned provided buffers registered as buffer group `bgid`: the kernel picks a free one
/// for each multishot receive completion, and the loop gives it back once the bytes are parsed.
pub struct BufRing {
    entries: *mut BufRingEntry,
    layout: Layout,
    data: Vec<u8>,
    size: usize,
    count: u16,
    tail: u16,
}

impl BufRing {
    pub fn new(ring: &IoUring, count: u16, size: usize, bgid: u16) -> Result<Self, String> {
        if !count.is_power_of_two() {
            return Err("buffer ring size must be a power of two".into());
        }
        let layout = Layout::from_size_align(count as usize * size_of::<BufRingEntry>(), 4096)
            .map_err(|e| e.to_string())?;
        // SAFETY: a non-zero size; freed in Drop with the same layout.
        let entries = unsafe { alloc_zeroed(layout) }.cast::<BufRingEntry>();
        if entries.is_null() {
            return Err("out of memory".into());
        }
        let mut br = BufRing {
            entries,
            layout,
            data: vec![0; count as usize * size],
            size,
            count,
            tail: 0,
        };
        // SAFETY: the entries stay allocated until Drop, which runs after the ring (the caller
        // declares the BufRing after the IoUring) or the group is never used again.
        unsafe {
            ring.submitter()
                .register_buf_ring_with_flags(entries as u64, count, bgid, 0)
        }
        .map_err(|e| format!("register_buf_ring: {e}"))?;
        for bid in 0..count {
            br.recycle(bid);
        }
        br.publish();
        Ok(br)
    }

    /// The bytes buffer `bid` holds.
    pub fn get(&self, bid: u16, len: usize) -> &[u8] {
        let at = bid as usize * self.size;
        &self.data[at..at + len.min(self.size)]
    }

    /// Hands buffer `bid` back (visible to the kernel at the next `publish`).
    pub fn recycle(&mut self, bid: u16) {
        let idx = (self.tail & (self.count - 1)) as usize;
        // SAFETY: idx < count, inside the allocation.
        let e = unsafe { &mut *self.entries.add(idx) };
        e.set_addr(self.data.as_ptr() as u64 + (bid as usize * self.size) as u64);
        e.set_len(self.size as u32);
        e.set_bid(bid);
        self.tail = self.tail.wrapping_add(1);
    }

    /// Publishes the recycled buffers with one release store of the ring's tail.
    pub fn publish(&self) {
        // SAFETY: the first entry is initialised (zeroed) and its resv field is the tail.
        let tail = unsafe { BufRingEntry::tail(self.entries) } as *mut u16;
        // SAFETY: an aligned u16 inside the allocation, shared with the kernel only atomically.
        unsafe { AtomicU16::from_ptr(tail) }.store(self.tail, Ordering::Release);
    }
}

impl Drop for BufRing {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { dealloc(self.entries.cast(), self.layout) }
    }
}

/// Runs the workload on one ring; `multishot` picks multishot receive with provided buffers,
/// otherwise single-shot receive into one reused buffer per connection.
pub fn run(cfg: &Config, multishot: bool) -> Result<Tally, String> {
    crate::uring_loop::run(cfg, multishot)
}

/// What an engine would check at start: can this process set up a ring at all (ENOSYS on old
/// kernels, EPERM with `kernel.io_uring_disabled` = 2 or a seccomp filter), and which features.
pub fn probe() -> String {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let disabled = std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled")
        .map_or("absent".into(), |s| s.trim().to_string());
    let (ring, flags) = match ring() {
        Ok(r) => r,
        Err(e) => {
            return format!(
                "io_uring=unavailable error=\"{e}\" kernel={} io_uring_disabled={disabled}",
                kernel.trim()
            )
        }
    };
    let mut p = io_uring::Probe::new();
    let ops = match ring.submitter().register_probe(&mut p) {
        Ok(()) => [
            ("recv", opcode::Recv::CODE),
            ("send", opcode::Send::CODE),
            ("timeout", opcode::Timeout::CODE),
        ]
        .iter()
        .map(|(n, c)| format!("{n}:{}", p.is_supported(*c)))
        .collect::<Vec<_>>()
        .join(","),
        Err(e) => format!("probe-failed:{e}"),
    };
    let bufring =
        BufRing::new(&ring, 8, 64, 7).map_or_else(|e| format!("no({e})"), |_| "yes".into());
    format!(
        "io_uring=available kernel={} io_uring_disabled={disabled} setup={flags} ops={ops} \
         buf_ring={bufring} skip_success={} ext_arg={}",
        kernel.trim(),
        ring.params().is_feature_skip_cqe_on_success(),
        ring.params().is_feature_ext_arg()
    )
}
