//! The hashing threads and the bounded queue in front of them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use argon2::Block;

/// One place in the bounded queue, given back when dropped.
pub(super) struct QueueSlot(Arc<AtomicUsize>);

impl QueueSlot {
    /// Takes a place if fewer than `limit` are taken, in one atomic step, so a burst of
    /// callers can never overshoot the limit together.
    pub(super) fn take(pending: &Arc<AtomicUsize>, limit: usize) -> Option<Self> {
        pending
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(pending.clone()))
    }
}

impl Drop for QueueSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Work for a hashing thread, given that thread's Argon2 memory.
pub(super) type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// Starts `threads` hashing threads that take jobs from one queue until every sender is
/// gone.
pub(super) fn start_pool(
    threads: usize,
    priority: HashPriority,
) -> std::io::Result<mpsc::Sender<Job>> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..threads {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("gatehouse-hash-{n}"))
            .spawn(move || {
                set_thread_priority(priority);
                // Allocated once and reused: a fresh 19 MiB per hash costs page faults.
                let mut memory = Vec::new();
                loop {
                    // The lock is held only while waiting for a job, never while hashing.
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    match next {
                        Ok(job) => job(&mut memory),
                        Err(mpsc::RecvError) => return,
                    }
                }
            });
        match spawned {
            Ok(_) => {}
            // None at all would hang every sign-in; fewer only means less hashing at once.
            Err(e) if n == 0 => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, threads = n, "started fewer password-hashing threads");
                break;
            }
        }
    }
    Ok(jobs)
}

/// How the hashing threads share the CPU with everything else the server does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashPriority {
    /// Like every other thread: the most sign-ins per second, but a page or `/healthz`
    /// that arrives while every core hashes waits for a time slice.
    Normal,
    /// `SCHED_BATCH` at nice 19: the kernel treats hashing as background work and
    /// prefers any waking ordinary thread, while hashing still gets a share of a busy
    /// machine. The default.
    #[default]
    Low,
    /// `SCHED_IDLE`: hashing runs only on otherwise idle cores — the best page latency
    /// during a login storm, but sign-ins stall entirely while other work fills the CPU.
    Idle,
}

/// Applies `priority` to the calling thread. Elsewhere than Linux, or if the kernel
/// refuses, hashing keeps the ordinary priority.
fn set_thread_priority(priority: HashPriority) {
    #[cfg(target_os = "linux")]
    {
        let (policy, nice) = match priority {
            HashPriority::Normal => return,
            HashPriority::Low => (libc::SCHED_BATCH, 19),
            HashPriority::Idle => (libc::SCHED_IDLE, 0),
        };
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: pid 0 is the calling thread; `param` is a valid sched_param that the
        // call only reads.
        let mut refused = unsafe { libc::sched_setscheduler(0, policy, &param) } != 0;
        if !refused && nice != 0 {
            // SAFETY: gettid has no preconditions; on Linux, PRIO_PROCESS with a thread
            // id sets that thread's nice value only. Lowering one's own priority needs
            // no privilege.
            refused = unsafe {
                libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, nice)
            } != 0;
        }
        if refused {
            tracing::warn!(
                error = %std::io::Error::last_os_error(),
                ?priority,
                "password hashing runs at normal priority"
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = priority;
}
