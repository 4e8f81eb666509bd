//! How figures read for people, the same in Matrix and on the wallboard:
//! durations as "45s", "3m 20s", "2h 05m"; fractions as "67%"; "—" for
//! nothing yet. (The wallboard's script mirrors these two.)

use std::time::Duration;

pub fn duration(d: Option<Duration>) -> String {
    let Some(d) = d else { return "—".to_owned() };
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

pub fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_owned(), |p| format!("{:.0}%", p * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_percentages_read_at_a_glance() {
        assert_eq!(duration(Some(Duration::from_secs(45))), "45s");
        assert_eq!(duration(Some(Duration::from_secs(200))), "3m 20s");
        assert_eq!(duration(Some(Duration::from_secs(7500))), "2h 05m");
        assert_eq!(duration(None), "—");
        assert_eq!(percent(Some(1.0 / 3.0)), "33%");
        assert_eq!(percent(None), "—");
    }
}
