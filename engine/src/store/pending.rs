//! Write sets handed to a writer thread and not yet known durable, in
//! front of the store for the engine's own reads.
//!
//! With a store whose commit waits on a network round trip (PostgreSQL),
//! the committer applies batch N+1 while batch N's commit is in flight
//! (`committer::pipeline`). Batch N+1 may look up a key batch N wrote: a
//! finished conversation's carrier ids, a reply's delivery record. The
//! store does not have them yet, so `Behind` answers from the newest
//! pending write set that holds the key, and asks the store only for the
//! rest. A set leaves once its commit is known durable (`confirm`); one
//! that stays a little longer is harmless, since the store then holds the
//! same value.

use std::collections::VecDeque;
use std::sync::Arc;

use super::{Lookup, Result, WriteSet};

/// The pending write sets, oldest first, each with its batch number.
#[derive(Debug, Default)]
pub struct Pending {
    sets: VecDeque<(u64, Arc<WriteSet>)>,
}

impl Pending {
    pub fn push(&mut self, batch: u64, writes: Arc<WriteSet>) {
        self.sets.push_back((batch, writes));
    }

    /// Forgets every set of batch `through` or older: they are durable.
    pub fn confirm(&mut self, through: u64) {
        while self.sets.front().is_some_and(|(batch, _)| *batch <= through) {
            self.sets.pop_front();
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// What the newest pending set says of `key` (`Some(None)`: deleted);
    /// `None` when no pending set names it.
    fn find(&self, key: &[u8]) -> Option<Option<Vec<u8>>> {
        self.sets.iter().rev().find_map(|(_, set)| set.writes.get(key).cloned())
    }
}

/// Pending writes in front of a store.
#[derive(Clone, Copy, Debug)]
pub struct Behind<'a, S: ?Sized> {
    pub pending: &'a Pending,
    pub store: &'a S,
}

impl<S: Lookup + ?Sized> Lookup for Behind<'_, S> {
    fn lookup(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.pending.find(key) {
            Some(value) => Ok(value),
            None => self.store.lookup(key),
        }
    }

    fn lookup_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        if self.pending.is_empty() {
            return self.store.lookup_many(keys);
        }
        let mut found: Vec<Option<Option<Vec<u8>>>> = keys.iter().map(|k| self.pending.find(k)).collect();
        let missing: Vec<Vec<u8>> = keys
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(k, _)| k.clone())
            .collect();
        let mut stored = self.store.lookup_many(&missing)?.into_iter();
        for slot in &mut found {
            if slot.is_none() {
                *slot = Some(stored.next().flatten());
            }
        }
        Ok(found.into_iter().map(Option::flatten).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{Behind, Pending};
    use crate::store::{KvStore, Lookup, MemoryStore, WriteSet};
    use std::sync::Arc;

    fn set(writes: &[(&[u8], Option<&[u8]>)]) -> Arc<WriteSet> {
        let mut set = WriteSet::default();
        for (k, v) in writes {
            match v {
                Some(v) => set.put(k.to_vec(), v.to_vec()),
                None => set.delete(k.to_vec()),
            }
        }
        Arc::new(set)
    }

    #[test]
    fn the_newest_pending_write_wins_over_older_ones_and_the_store() {
        let store = MemoryStore::default();
        store
            .commit(&set(&[
                (b"a", Some(b"stored")),
                (b"b", Some(b"stored")),
                (b"c", Some(b"stored")),
            ]))
            .expect("commit");
        let mut pending = Pending::default();
        pending.push(1, set(&[(b"a", Some(b"one")), (b"b", Some(b"one"))]));
        pending.push(2, set(&[(b"b", None)]));
        let behind = Behind {
            pending: &pending,
            store: &store,
        };
        let keys: Vec<Vec<u8>> = [b"a", b"b", b"c", b"d"].iter().map(|k| k.to_vec()).collect();
        let want = vec![Some(b"one".to_vec()), None, Some(b"stored".to_vec()), None];
        assert_eq!(behind.lookup_many(&keys).expect("many"), want);
        let one_by_one: Vec<_> = keys.iter().map(|k| behind.lookup(k).expect("one")).collect();
        assert_eq!(one_by_one, want);

        // Batch 1 is durable: its sets leave, batch 2's delete still counts.
        pending.confirm(1);
        let behind = Behind {
            pending: &pending,
            store: &store,
        };
        assert_eq!(behind.lookup(b"a").expect("a"), Some(b"stored".to_vec()));
        assert_eq!(behind.lookup(b"b").expect("b"), None);
        pending.confirm(2);
        assert!(pending.is_empty());
    }
}
