//! `Budget`: one memory budget over everything a plugin instance allocates
//! — every linear memory and every table of its store together — plus caps
//! on how many instances, memories and tables it may create.
//!
//! wasmtime's `StoreLimits` caps each linear memory on its own and leaves
//! tables unbounded, so a component with sixteen memories, or one
//! `table.grow` of a hundred million elements, could take the host far past
//! the configured cap. Here a memory's growth and a table's growth draw on
//! the same byte count (a table element costs `TABLE_ELEMENT_BYTES`), and a
//! denied growth traps the call with `BudgetExceeded`, which the host
//! reports as "exceeded its memory cap".

use wasmtime::ResourceLimiter;

/// What one table element costs against the budget: a function reference
/// is a pointer in wasmtime's tables.
pub const TABLE_ELEMENT_BYTES: usize = 8;

/// Core instances one component may create (a Rust component has a few:
/// the main module, the WASI adapter and its shims).
const MAX_INSTANCES: usize = 32;
/// Tables one component may create (the main module's and the shims').
const MAX_TABLES: usize = 8;
/// Linear memories one component may create. Components built by Rust
/// (and by wit-component generally) share one memory among their modules.
const MAX_MEMORIES: usize = 1;

/// The error a denied growth traps with.
#[derive(Debug, thiserror::Error)]
#[error("the plugin's memory budget of {cap} bytes is spent ({what}: {wanted} more bytes with {used} in use)")]
pub struct BudgetExceeded {
    pub cap: usize,
    pub used: usize,
    pub wanted: usize,
    pub what: &'static str,
}

/// The byte budget of one store (one plugin instance).
#[derive(Debug)]
pub struct Budget {
    cap: usize,
    used: usize,
}

impl Budget {
    pub fn new(cap: usize) -> Self {
        Self { cap, used: 0 }
    }

    /// Bytes in use across all memories and tables.
    pub fn used(&self) -> usize {
        self.used
    }

    fn grow(&mut self, what: &'static str, more: usize) -> wasmtime::Result<bool> {
        match self.used.checked_add(more).filter(|total| *total <= self.cap) {
            Some(total) => {
                self.used = total;
                Ok(true)
            }
            None => Err(wasmtime::Error::new(BudgetExceeded {
                cap: self.cap,
                used: self.used,
                wanted: more,
                what,
            })),
        }
    }
}

impl ResourceLimiter for Budget {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.grow("linear memory", desired.saturating_sub(current))
    }

    fn table_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let elements = desired.saturating_sub(current);
        self.grow("table", elements.saturating_mul(TABLE_ELEMENT_BYTES))
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memories_and_tables_draw_on_one_budget() {
        let mut b = Budget::new(1 << 20);
        assert!(b.memory_growing(0, 512 << 10, None).unwrap());
        // A second memory's growth counts with the first.
        assert!(b.memory_growing(0, 256 << 10, None).unwrap());
        // 32 Ki table elements are 256 KiB: exactly the rest.
        assert!(b.table_growing(0, 32 << 10, None).unwrap());
        assert_eq!(b.used(), 1 << 20);
        let err = b.table_growing(32 << 10, (32 << 10) + 1, None).unwrap_err();
        assert!(err.downcast_ref::<BudgetExceeded>().is_some(), "{err:#}");
        // A hundred million elements cannot overflow the count either.
        assert!(b.table_growing(0, usize::MAX, None).is_err());
        assert_eq!(b.used(), 1 << 20, "a denied growth takes nothing");
    }
}
