//! The must-show flood (issue 26, item 3): 200 connections post unsigned
//! 64 KB bodies with a junk signature for 8 s, half to Twilio's webhook
//! and half to a carrier whose plugin fails after the host checked the
//! signature (the path where requests are kept for replay). Nothing of it
//! may reach the disk, and signed webhooks sent beside it must all land.
//! Loopback only; every loop is bounded by the clock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{self, free_port, sign, sms_params, Server, ENTRY, TOKEN};

const CONNECTIONS: usize = 200;
const BODY: usize = 64 * 1024;
const FLOOD: Duration = Duration::from_secs(8);

/// Every file under `dir` with its size.
fn files(dir: &Path) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(name, meta.len());
            }
        }
    }
    out
}

fn total(files: &BTreeMap<String, u64>) -> u64 {
    files.values().sum()
}

/// 200 connections of unsigned 64 KB posts until `until`; answers by status.
async fn flood(server: &Server, until: Instant) -> BTreeMap<u16, u64> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    // Form bodies as Twilio posts them, 64 KB of text no one signed, each
    // one different (a kept copy is named by the body's hash).
    let filler = "x".repeat(BODY - 90);
    let mut tasks = Vec::new();
    for i in 0..CONNECTIONS {
        let (client, filler) = (client.clone(), filler.clone());
        let (url, header) = if i % 2 == 0 {
            (server.url("/webhooks/twilio/inbound"), "x-twilio-signature")
        } else {
            (server.url("/webhooks/broken/inbound"), "x-hostile-signature")
        };
        tasks.push(tokio::spawn(async move {
            let mut statuses = BTreeMap::<u16, u64>::new();
            let mut n = 0u64;
            while Instant::now() < until {
                n += 1;
                let body = format!("MessageSid=SM{i:016}{n:016}&From=%2B15557770001&To=%2B15550001111&Body={filler}");
                let status = client
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header(header, "00".repeat(32))
                    .body(body)
                    .send()
                    .await
                    .map_or(0, |r| r.status().as_u16());
                *statuses.entry(status).or_default() += 1;
            }
            statuses
        }));
    }
    let mut statuses = BTreeMap::new();
    for t in tasks {
        for (status, n) in t.await.unwrap() {
            *statuses.entry(status).or_default() += n;
        }
    }
    statuses
}

/// Signed SMS, one after another on each of 4 connections, until `until`:
/// the sids sent, what each was finally answered, and how many attempts it
/// took. A 503 is retried (at most 5 attempts, 200 ms apart), as carriers
/// do: a busy gate may ask an honest request to come back, but must never
/// lose it.
async fn signed_beside(server: &Server, until: Instant) -> Vec<(String, u16, u32)> {
    let client = reqwest::Client::new();
    let url = server.url("/webhooks/twilio/inbound");
    let next = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (client, url, next) = (client.clone(), url.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            while Instant::now() < until {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let sid = format!("SM{:032}", 1_000_000 + i);
                let from = format!("+1555700{:04}", i % 50);
                let params = sms_params(&sid, &from, ENTRY, "signed, beside the flood");
                let mut attempts = 0;
                let status = loop {
                    attempts += 1;
                    let status = client
                        .post(&url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("x-twilio-signature", sign(&url, &params, TOKEN))
                        .body(common::form(&params))
                        .timeout(Duration::from_secs(20))
                        .send()
                        .await
                        .map_or(0, |r| r.status().as_u16());
                    if status != 503 || attempts == 5 {
                        break status;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                };
                sent.push((sid, status, attempts));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            sent
        }));
    }
    let mut sent = Vec::new();
    for t in tasks {
        sent.extend(t.await.unwrap());
    }
    sent
}

fn rate(statuses: &BTreeMap<u16, u64>, seconds: f64) -> f64 {
    statuses.values().sum::<u64>() as f64 / seconds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unsigned_flood_writes_nothing_and_signed_webhooks_beside_it_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let text = common::config::server_config(port, "http://127.0.0.1:9", None).replacen(
        "max_body = 4096",
        "max_body = 131072",
        1,
    );
    let log = dir.path().join("smsdesk.log");
    let mut server = Server::start_with_config(dir.path(), port, &text, Some(log));
    let storage = server.storage();
    // The store settles after its start (a first flush): wait until still.
    let mut before = files(&storage);
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let now = files(&storage);
        if now == before {
            break;
        }
        before = now;
    }

    // The flood alone: not one byte under storage.path.
    let started = Instant::now();
    let statuses = flood(&server, started + FLOOD).await;
    let seconds = started.elapsed().as_secs_f64();
    let after = files(&storage);
    println!(
        "flood alone: {} unsigned requests of 64 KB answered in {seconds:.1} s ({:.0}/s), statuses {statuses:?}; under storage.path {} files / {} bytes before, {} files / {} bytes after",
        statuses.values().sum::<u64>(),
        rate(&statuses, seconds),
        before.len(),
        total(&before),
        after.len(),
        total(&after)
    );
    assert!(statuses.keys().all(|s| *s == 403 || *s == 503), "{statuses:?}");
    assert!(statuses.values().sum::<u64>() >= CONNECTIONS as u64, "{statuses:?}");
    let changed: Vec<_> = after.iter().filter(|(k, v)| before.get(*k) != Some(v)).collect();
    assert!(
        after == before,
        "the unsigned flood wrote to disk: {} files new or changed, {} bytes more, e.g. {:?}",
        changed.len(),
        total(&after).saturating_sub(total(&before)),
        &changed[..changed.len().min(3)]
    );

    // The flood again, with signed webhooks beside it: all of them land.
    let started = Instant::now();
    let until = started + FLOOD;
    let (statuses, sent) = tokio::join!(flood(&server, until), signed_beside(&server, until));
    let seconds = started.elapsed().as_secs_f64();
    let landed = sent.iter().filter(|(_, s, _)| *s == 200).count();
    let first_try = sent.iter().filter(|(_, s, a)| *s == 200 && *a == 1).count();
    let after = files(&storage);
    let new_files: BTreeSet<_> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    println!(
        "flood with signed webhooks beside it: {} unsigned answered ({:.0}/s), statuses {statuses:?}; signed answered 200: {landed}/{} ({first_try} at the first attempt, the others after a 503 and a retry); under storage.path {} bytes more (the signed messages' commits), new files {new_files:?}",
        statuses.values().sum::<u64>(),
        rate(&statuses, seconds),
        sent.len(),
        total(&after).saturating_sub(total(&before)),
    );
    assert!(statuses.keys().all(|s| *s == 403 || *s == 503), "{statuses:?}");
    assert!(sent.len() >= 20, "too few signed webhooks were sent: {}", sent.len());
    assert_eq!(landed, sent.len(), "signed webhooks refused beside the flood: {sent:?}");
    assert!(
        server.dead_letters().is_empty(),
        "something was kept: {:?}",
        server.dead_letters()
    );
    assert!(new_files.iter().all(|f| !f.contains("dead-letters")), "{new_files:?}");
    server.stop();
    let (messages, _) = common::stored(&storage);
    let stored_signed = sent.iter().filter(|(sid, _, _)| messages.get(sid) == Some(&1)).count();
    println!("signed stored in the engine: {stored_signed}/{}", sent.len());
    assert_eq!(stored_signed, sent.len());
    assert_eq!(messages.len(), sent.len(), "only the signed ones are in the store");
}
