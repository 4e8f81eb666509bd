//! Who handled each customer's last conversation in a queue (`queues[].sticky`):
//! the agent, when it closed, why, and which conversation it was. Kept only
//! while some queue's sticky window can still use it: an entry older than
//! the longest window is dropped at the next wrap-up, so memory and the
//! store hold the customers of the last day (or whatever the window is),
//! never everyone ever served.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::ids::{CustomerNumber, QueueName, Timestamp};
use crate::model::Sticky;

/// One (customer, queue) pair.
pub type Key = (CustomerNumber, QueueName);

/// The records, and the same keys in closing order for pruning.
#[derive(Clone, Debug, Default)]
pub struct LastHandled {
    records: BTreeMap<Key, Sticky>,
    by_time: BTreeSet<(Timestamp, Key)>,
}

/// Two are equal when they hold the same records (the order is derived).
impl PartialEq for LastHandled {
    fn eq(&self, other: &Self) -> bool {
        self.records == other.records
    }
}
impl Eq for LastHandled {}

impl LastHandled {
    pub fn from_records(records: BTreeMap<Key, Sticky>) -> Self {
        let by_time = records.iter().map(|(k, s)| (s.closed_at, k.clone())).collect();
        Self { records, by_time }
    }

    pub fn get(&self, key: &Key) -> Option<&Sticky> {
        self.records.get(key)
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Records `last` for `key`, replacing what was there.
    pub fn insert(&mut self, key: Key, last: Sticky) {
        if let Some(old) = self.records.get(&key) {
            self.by_time.remove(&(old.closed_at, key.clone()));
        }
        self.by_time.insert((last.closed_at, key.clone()));
        self.records.insert(key, last);
    }

    /// Drops the records closed more than `keep` before `now` (all of them
    /// when no queue is sticky), returning their keys: the store deletes them.
    pub fn prune(&mut self, now: Timestamp, keep: Option<Duration>) -> Vec<Key> {
        let mut gone = Vec::new();
        while let Some((at, _)) = self.by_time.first() {
            if keep.is_some_and(|k| now.since(*at) <= k) {
                break;
            }
            let Some((_, key)) = self.by_time.pop_first() else {
                break;
            };
            self.records.remove(&key);
            gone.push(key);
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AgentId, ConversationId};

    fn last(at: u64) -> Sticky {
        Sticky {
            agent: AgentId::new("@alice:example.org".to_owned()),
            conversation: ConversationId(at),
            closed_at: Timestamp(at),
            reason: "solved".to_owned(),
            until: None,
        }
    }

    fn key(c: &str) -> Key {
        (CustomerNumber::new(c.to_owned()), QueueName::new("support".to_owned()))
    }

    #[test]
    fn old_records_leave_and_a_newer_one_replaces_the_old() {
        let mut l = LastHandled::default();
        l.insert(key("+1"), last(1_000));
        l.insert(key("+2"), last(2_000));
        l.insert(key("+1"), last(5_000));
        assert_eq!(l.len(), 2);
        let gone = l.prune(Timestamp(5_500), Some(Duration::from_secs(3)));
        assert_eq!(gone, vec![key("+2")], "only +2's record is older than 3 s");
        assert_eq!(l.get(&key("+1")).map(|s| s.closed_at), Some(Timestamp(5_000)));
        assert_eq!(
            l.prune(Timestamp(5_500), None).len(),
            1,
            "no sticky queue keeps nothing"
        );
        assert!(l.is_empty());
    }
}
