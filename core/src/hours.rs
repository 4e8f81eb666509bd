//! Business hours (docs/configuration.md, `queues[].hours`): a queue's weekly opening times in its
//! IANA time zone, and its holidays. Time-zone rules come from `jiff` and
//! its bundled database (`tzdb`: compiled into the binary, never the host's
//! /usr/share/zoneinfo, so reading it is no I/O), never from our own arithmetic: "09:00 in New York"
//! is whatever instant that is on that date, across DST changes.
//!
//! Written as in the config: `"mon-fri 09:00-17:00"`, `"sat 10:00-14:00"`,
//! `"sun,wed 12:00-13:00"`; `24:00` closes at midnight. A range that
//! crosses midnight is two ranges. Pure: instants in, answers out.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

use crate::ids::Timestamp;

/// How far ahead `next_opening` looks (a queue with every day a holiday never opens).
const LOOKAHEAD_DAYS: i32 = 400;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hours {
    /// (weekday, opening minute, closing minute), minutes after local midnight.
    spans: Vec<(Weekday, u16, u16)>,
    timezone: TimeZone,
    zone_name: String,
    holidays: BTreeSet<Date>,
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

fn day(s: &str) -> Result<usize, String> {
    DAYS.iter()
        .position(|(name, _)| s.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("{s:?} is not a day (use mon, tue, wed, thu, fri, sat, sun)"))
}

fn minute(s: &str) -> Result<u16, String> {
    let bad = || format!("{s:?} is not a time like 09:00");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// One `hours` entry: `"<days> <HH:MM>-<HH:MM>"`.
fn parse_span(entry: &str) -> Result<Vec<(Weekday, u16, u16)>, String> {
    let shape = || format!("{entry:?} is not like \"mon-fri 09:00-17:00\"");
    let (days, times) = entry.trim().split_once(char::is_whitespace).ok_or_else(shape)?;
    let (open, close) = times.trim().split_once('-').ok_or_else(shape)?;
    let (open, close) = (minute(open.trim())?, minute(close.trim())?);
    if close <= open {
        return Err(format!(
            "{entry:?} closes before it opens; a range across midnight is two ranges (\"fri 22:00-24:00\", \"sat 00:00-02:00\")"
        ));
    }
    let mut out = Vec::new();
    for part in days.split(',') {
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (day(a.trim())?, day(b.trim())?),
            None => (day(part.trim())?, day(part.trim())?),
        };
        if last < first {
            return Err(format!(
                "{part:?} runs backwards; write the days from Monday on (e.g. \"mon-fri\")"
            ));
        }
        out.extend((first..=last).map(|d| (DAYS[d].1, open, close)));
    }
    Ok(out)
}

/// The IANA time-zone database smsdesk reads zones from: the copy bundled
/// into the binary (jiff's `tzdb-bundle-always`), named explicitly so no
/// build of jiff can make this crate read the host's files instead.
pub fn tzdb() -> jiff::tz::TimeZoneDatabase {
    jiff::tz::TimeZoneDatabase::bundled()
}

impl Hours {
    /// Reads the config's `hours`, `timezone` and `holidays`. Each problem
    /// comes back with the key it is about (`hours`, `timezone`, `holidays`).
    pub fn parse(hours: &[String], timezone: &str, holidays: &[String]) -> Result<Self, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let mut spans = Vec::new();
        for entry in hours {
            match parse_span(entry) {
                Ok(s) => spans.extend(s),
                Err(e) => problems.push(("hours", e)),
            }
        }
        let tz = tzdb().get(timezone).map_err(|_| {
            (
                "timezone",
                format!("{timezone:?} is not an IANA time zone (like \"America/New_York\" or \"Europe/Paris\")"),
            )
        });
        let mut days = BTreeSet::new();
        for h in holidays {
            match h.trim().parse::<Date>() {
                Ok(d) => {
                    days.insert(d);
                }
                Err(_) => problems.push(("holidays", format!("{h:?} is not a date like \"2026-12-25\""))),
            }
        }
        match tz {
            Ok(timezone_value) if problems.is_empty() => Ok(Self {
                spans,
                timezone: timezone_value,
                zone_name: timezone.to_owned(),
                holidays: days,
            }),
            Ok(_) => Err(problems),
            Err(p) => {
                problems.push(p);
                Err(problems)
            }
        }
    }

    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    fn zoned(&self, at: Timestamp) -> Option<jiff::Zoned> {
        let ms = i64::try_from(at.0).ok()?;
        Some(
            jiff::Timestamp::from_millisecond(ms)
                .ok()?
                .to_zoned(self.timezone.clone()),
        )
    }

    /// Whether the queue is open at `at`.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let Some(z) = self.zoned(at) else { return false };
        if self.holidays.contains(&z.date()) {
            return false;
        }
        let m = u16::try_from(z.hour()).unwrap_or(0) * 60 + u16::try_from(z.minute()).unwrap_or(0);
        self.spans
            .iter()
            .any(|(d, open, close)| *d == z.weekday() && *open <= m && m < *close)
    }

    /// The next moment the queue opens after `at` (or `at` itself if open then).
    pub fn next_opening(&self, at: Timestamp) -> Option<jiff::Zoned> {
        let now = self.zoned(at)?;
        if self.is_open(at) {
            return Some(now);
        }
        let mut date = now.date();
        for _ in 0..LOOKAHEAD_DAYS {
            if !self.holidays.contains(&date) {
                let mut opens: Vec<u16> = self
                    .spans
                    .iter()
                    .filter(|(d, ..)| *d == date.weekday())
                    .map(|(_, open, _)| *open)
                    .collect();
                opens.sort_unstable();
                for open in opens {
                    let (h, m) = (i8::try_from(open / 60).ok()?, i8::try_from(open % 60).ok()?);
                    let candidate = date.at(h, m, 0, 0).to_zoned(self.timezone.clone()).ok()?;
                    if candidate.timestamp() > now.timestamp() {
                        return Some(candidate);
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The next opening as the queue's customers read it, e.g. "Monday 09:00 EST".
    pub fn next_opening_text(&self, at: Timestamp) -> Option<String> {
        self.next_opening(at).map(|z| z.strftime("%A %H:%M %Z").to_string())
    }

    /// The instant of the next opening, for timers.
    pub fn next_opening_at(&self, at: Timestamp) -> Option<Timestamp> {
        let z = self.next_opening(at)?;
        u64::try_from(z.timestamp().as_millisecond()).ok().map(Timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(local: &str, zone: &str) -> Timestamp {
        let dt: jiff::civil::DateTime = local.parse().unwrap();
        let z = dt.to_zoned(tzdb().get(zone).unwrap()).unwrap();
        Timestamp(u64::try_from(z.timestamp().as_millisecond()).unwrap())
    }

    #[test]
    fn zones_come_from_the_bundled_database() {
        assert!(tzdb().get("Asia/Tokyo").is_ok());
        assert!(tzdb().get("america/new_york").is_ok());
        assert!(tzdb().get("Mars/Olympus_Mons").is_err());
        assert!(tzdb().available().count() > 300);
    }

    fn office() -> Hours {
        let hours = ["mon-fri 09:00-17:00".to_owned(), "sat 10:00-14:00".to_owned()];
        Hours::parse(&hours, "America/New_York", &["2026-12-25".to_owned()]).unwrap()
    }

    #[test]
    fn open_and_closed_in_local_time() {
        let h = office();
        let ny = "America/New_York";
        assert!(h.is_open(at("2026-12-01T09:00", ny)), "Tuesday 09:00");
        assert!(!h.is_open(at("2026-12-01T08:59", ny)));
        assert!(!h.is_open(at("2026-12-01T17:00", ny)), "closes at 17:00");
        assert!(h.is_open(at("2026-12-05T13:59", ny)), "Saturday");
        assert!(!h.is_open(at("2026-12-06T12:00", ny)), "Sunday");
        assert!(!h.is_open(at("2026-12-25T12:00", ny)), "a holiday");
        assert_eq!(
            h.next_opening_text(at("2026-12-24T18:00", ny)).unwrap(),
            "Saturday 10:00 EST",
            "after Christmas Eve, Christmas is skipped"
        );
    }

    #[test]
    fn across_daylight_saving_changes() {
        let h = office();
        let ny = "America/New_York";
        // 2026-03-08: clocks go 02:00 -> 03:00. Friday 17:00 EST is 22:00 UTC;
        // Monday 09:00 is EDT, 13:00 UTC: the offset is the zone's, not ours.
        let friday_evening = at("2026-03-06T17:30", ny);
        let opens = h.next_opening_at(friday_evening).unwrap();
        assert_eq!(opens, at("2026-03-07T10:00", ny), "Saturday first");
        let monday = h.next_opening(at("2026-03-07T15:00", ny)).unwrap();
        assert_eq!(monday.strftime("%A %H:%M %Z").to_string(), "Monday 09:00 EDT");
        assert_eq!(monday.timestamp().to_string(), "2026-03-09T13:00:00Z");
        // The same wall-clock hour is open on both sides of the change.
        assert!(h.is_open(at("2026-03-06T09:30", ny)) && h.is_open(at("2026-03-09T09:30", ny)));
        // November: back to EST; 09:00 is 14:00 UTC.
        let after = h.next_opening(at("2026-11-01T12:00", ny)).unwrap();
        assert_eq!(after.timestamp().to_string(), "2026-11-02T14:00:00Z");
    }

    #[test]
    fn bad_input_names_the_key_and_the_fix() {
        let bad = |hours: &[&str], tz: &str, holidays: &[&str]| {
            let own = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
            Hours::parse(&own(hours), tz, &own(holidays)).unwrap_err()
        };
        assert_eq!(
            bad(&["mon-fri 17:00-09:00"], "UTC", &[])[0].1,
            "\"mon-fri 17:00-09:00\" closes before it opens; a range across midnight is two ranges (\"fri 22:00-24:00\", \"sat 00:00-02:00\")"
        );
        assert_eq!(
            bad(&["weekdays 09:00-17:00"], "UTC", &[])[0].1,
            "\"weekdays\" is not a day (use mon, tue, wed, thu, fri, sat, sun)"
        );
        assert_eq!(bad(&["mon 9-17"], "UTC", &[])[0].1, "\"9\" is not a time like 09:00");
        assert_eq!(
            bad(&["mon 09:00-25:00"], "UTC", &[])[0].1,
            "\"25:00\" is not a time like 09:00"
        );
        assert_eq!(bad(&["fri-mon 09:00-17:00"], "UTC", &[])[0].0, "hours");
        let tz = bad(&[], "America/Springfield", &[]);
        assert_eq!(tz[0].0, "timezone");
        assert!(tz[0].1.contains("not an IANA time zone"), "{tz:?}");
        assert_eq!(
            bad(&[], "UTC", &["2026-02-30", "Christmas"]),
            vec![
                (
                    "holidays",
                    "\"2026-02-30\" is not a date like \"2026-12-25\"".to_owned()
                ),
                ("holidays", "\"Christmas\" is not a date like \"2026-12-25\"".to_owned()),
            ]
        );
    }
}
