//! What a plugin's calls cost, as `plugin run` and `plugin test` report it:
//! time inside the calls, fuel (on the metered host those tools use: about
//! one unit per WebAssembly instruction) and the instance's peak memory,
//! beside the limits they run under, so an author sees how near they are.

use std::fmt;
use std::time::Duration;

use smsdesk_plugins::PluginHost;

/// The cost of every call a host made so far.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub in_calls: Duration,
    pub fuel: u64,
    pub peak_memory: u64,
    pub budget: Duration,
    pub memory_cap: u64,
}

impl Cost {
    /// Read from `host`'s metrics (every plugin it loaded).
    pub fn of(host: &PluginHost) -> Self {
        let stats = host.metrics().snapshot();
        let limits = host.limits();
        Self {
            in_calls: Duration::from_micros(stats.values().map(|s| s.latency_micros).sum()),
            fuel: stats.values().map(|s| s.fuel).sum(),
            peak_memory: stats.values().map(|s| s.peak_memory).max().unwrap_or(0),
            budget: limits.cpu_budget,
            memory_cap: u64::try_from(limits.memory).unwrap_or(u64::MAX),
        }
    }
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |b: u64| b as f64 / f64::from(1 << 20);
        write!(
            f,
            "{:.2} ms in calls (budget {} ms a call), fuel {}, peak memory {:.1} of {:.0} MiB",
            self.in_calls.as_secs_f64() * 1e3,
            self.budget.as_millis(),
            thousands(self.fuel),
            mib(self.peak_memory),
            mib(self.memory_cap),
        )
    }
}

/// 1234567 as "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_at_a_glance() {
        let cost = Cost {
            in_calls: Duration::from_micros(1_250),
            fuel: 1_234_567,
            peak_memory: 3 << 19,
            budget: Duration::from_millis(100),
            memory_cap: 64 << 20,
        };
        assert_eq!(
            cost.to_string(),
            "1.25 ms in calls (budget 100 ms a call), fuel 1,234,567, peak memory 1.5 of 64 MiB"
        );
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
