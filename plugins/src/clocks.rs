//! What plugins see of time: clocks frozen at the Unix epoch (the host
//! passes in every time a plugin needs), and no timers at all.
//!
//! WASI lets a guest wait: `wasi:clocks/monotonic-clock` hands out a
//! pollable for a duration or an instant, and `pollable.block` or
//! `wasi:io/poll.poll` then waits *inside the host*, where the epoch
//! deadline (the CPU budget) never fires. A plugin that asked for an hour's
//! timer would hold its caller — the engine's committer, a webhook — for an
//! hour. So both subscriptions are replaced here by a trap: a plugin that
//! asks to wait fails that call at once, like any other trap. Nothing else
//! a plugin can reach can wait: stdin is closed, stdout and stderr never
//! fill, and sockets and name lookups are refused before they start.

use std::time::Duration;

use wasmtime::component::{Linker, Resource};
use wasmtime_wasi::p2::DynPollable;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

/// The `wasi:clocks` interface version wasmtime-wasi defines (guests built
/// against any older 0.2 release are linked to it).
const MONOTONIC_CLOCK: &str = "wasi:clocks/monotonic-clock@0.2.12";

/// What a plugin that asks to wait is told (the call's trap message).
pub const NO_TIMERS: &str = "smsdesk plugins may not wait: timers (wasi:clocks subscribe-duration, subscribe-instant) are refused; return, and smsdesk calls again when something happens";

/// A clock that never moves: plugins get no time except what the host passes in.
pub(crate) struct Frozen;

impl HostWallClock for Frozen {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for Frozen {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// Replaces WASI's timer subscriptions in `linker` (already holding
/// wasmtime-wasi's definitions) with a trap. Generic over the store's
/// data (the sandbox's `HostState` in smsdesk), so this module needs
/// nothing from the sandbox that uses its `Frozen` clock.
pub(crate) fn refuse_timers<T: 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut clock = linker.instance(MONOTONIC_CLOCK)?;
    for name in ["subscribe-duration", "subscribe-instant"] {
        clock.func_wrap(
            name,
            |_store, (_when,): (u64,)| -> wasmtime::Result<(Resource<DynPollable>,)> {
                Err(wasmtime::format_err!("{NO_TIMERS}"))
            },
        )?;
    }
    linker.allow_shadowing(false);
    Ok(())
}
