//! Guessing the wallboard's way in, against the real binary: a hundred
//! parallel wrong tokens from one address get a few checks and then 429
//! with `Retry-After` (also for the right token from there, and for the
//! sign-in form), while the right token from another address still works;
//! many addresses together meet the overall bound, which lets one check a
//! second through again; and cookies are server-side sessions: the old
//! offline-checkable form (`issued.sha256(token, issued)`), a random id
//! or a tampered one are refused, a form sign-in's cookie works until
//! sign-out.

use crate::common;

use std::time::{Duration, Instant};

use common::{client_from, free_port, Server, SUPERVISOR_TOKEN};
use sha2::{Digest as _, Sha256};

fn server(tmp: &std::path::Path) -> Server {
    Server::start_with(tmp, free_port(), "http://127.0.0.1:9")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_parallel_wrong_tokens_get_a_few_checks_then_429_and_another_address_still_gets_in() {
    let tmp = tempfile::tempdir().unwrap();
    let server = server(tmp.path());
    let guesser = client_from(1);
    let start = Instant::now();
    let attempts = (0..100).map(|i| {
        let (http, url) = (guesser.clone(), server.url("/supervisor/figures.json"));
        tokio::spawn(async move {
            let r = http.get(url).bearer_auth(format!("guess-{i:04}")).send().await.unwrap();
            let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
            (r.status().as_u16(), retry)
        })
    });
    let mut answers = Vec::new();
    for a in attempts {
        answers.push(a.await.unwrap());
    }
    let checked = answers.iter().filter(|(s, _)| *s == 401).count();
    let limited: Vec<_> = answers.iter().filter(|(s, _)| *s == 429).collect();
    eprintln!(
        "100 parallel wrong tokens: {checked} checked (401), {} refused unchecked (429), in {:?}",
        limited.len(),
        start.elapsed()
    );
    // Five per minute per address (one more may have refilled meanwhile).
    assert!((5..=6).contains(&checked), "{checked} were checked: {answers:?}");
    assert_eq!(checked + limited.len(), 100, "{answers:?}");
    for (_, retry) in &limited {
        let secs: u64 = retry.as_deref().expect("Retry-After").parse().unwrap();
        assert!((1..=12).contains(&secs), "Retry-After: {secs}");
    }
    // From that address even the right token is not checked now, nor the form.
    let r = guesser
        .get(server.url("/supervisor/figures.json"))
        .bearer_auth(SUPERVISOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let body = r.text().await.unwrap();
    assert!(body.contains("Too many failed sign-ins; try again in"), "{body}");
    assert!(!body.contains("billing"), "no figures: {body}");
    let r = guesser
        .post(server.url("/supervisor/login"))
        .form(&[("token", SUPERVISOR_TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429, "the form shares the limit");
    // Another address is not locked out by the first.
    let r = client_from(2)
        .get(server.url("/supervisor/figures.json"))
        .bearer_auth(SUPERVISOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let json: serde_json::Value = r.json().await.unwrap();
    assert_eq!(json["queues"][0]["queue"], "billing");
}

#[tokio::test(flavor = "multi_thread")]
async fn many_addresses_meet_the_overall_bound_which_refills_at_one_check_a_second() {
    let tmp = tempfile::tempdir().unwrap();
    let server = server(tmp.path());
    let url = server.url("/supervisor/figures.json");
    // Twelve addresses, five failures each: the sixty a minute allowed overall.
    for last in 10..22 {
        let http = client_from(last);
        for i in 0..5 {
            let r = http.get(&url).bearer_auth(format!("guess-{i}")).send().await.unwrap();
            assert_eq!(r.status(), 401, "127.0.0.{last}, guess {i}");
        }
    }
    // Now a fresh address is refused unchecked, even with the right token…
    let fresh = client_from(30);
    let r = fresh.get(&url).bearer_auth(SUPERVISOR_TOKEN).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    // …until the overall bucket refills (one a second).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = fresh.get(&url).bearer_auth(SUPERVISOR_TOKEN).send().await.unwrap();
    assert_eq!(r.status(), 200, "the right token passes once a check is allowed again");
}

/// The cookie the wallboard used to set: issue time and an unkeyed digest
/// of the token with it, which anyone who knows the token could make.
fn old_cookie(token: &str, issued: u64) -> String {
    let digest = hex::encode(Sha256::digest(format!("smsdesk wallboard cookie\0{token}\0{issued}")));
    format!("smsdesk_supervisor={issued}.{digest}")
}

#[tokio::test(flavor = "multi_thread")]
async fn cookies_forged_offline_random_or_tampered_are_refused_and_a_signed_in_one_ends_at_sign_out() {
    let tmp = tempfile::tempdir().unwrap();
    let server = server(tmp.path());
    let http = client_from(1);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let get = |cookie: String| {
        let (http, url) = (http.clone(), server.url("/supervisor"));
        async move { http.get(url).header("cookie", cookie).send().await.unwrap() }
    };
    for forged in [
        old_cookie(SUPERVISOR_TOKEN, now),
        old_cookie(SUPERVISOR_TOKEN, now - 60),
        format!("smsdesk_supervisor={}", "ab".repeat(32)),
    ] {
        let r = get(forged.clone()).await;
        assert_eq!(r.status(), 401, "{forged}");
        let cleared = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cleared.contains("Max-Age=0"), "the bad cookie is cleared: {cleared}");
        let body = r.text().await.unwrap();
        assert!(body.contains("Operator key") && !body.contains("data-queue"), "{body}");
    }

    // The form's sign-in: a random id, HttpOnly, SameSite=Strict, not Secure on http.
    let r = http
        .post(server.url("/supervisor/login"))
        .form(&[("token", SUPERVISOR_TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    let value = set
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("smsdesk_supervisor=")
        .unwrap()
        .to_owned();
    assert!(
        value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()),
        "{set}"
    );
    for part in ["Path=/supervisor", "HttpOnly", "SameSite=Strict", "Max-Age=43200"] {
        assert!(set.contains(part), "{part} missing: {set}");
    }
    assert!(!set.contains("Secure"), "public_url is http: {set}");
    let cookie = format!("smsdesk_supervisor={value}");
    let r = get(cookie.clone()).await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("data-queue=\"billing\"") && page.contains("support"),
        "{page}"
    );
    assert!(page.contains("the operator (supervisor.token)"), "{page}");
    // One digit changed: someone else's (nobody's) session.
    let flipped = if value.starts_with('0') { "1" } else { "0" };
    let tampered = format!("smsdesk_supervisor={flipped}{}", &value[1..]);
    assert_eq!(get(tampered).await.status(), 401);
    // A cookie is not a bearer token, nor a bearer token a cookie.
    let r = http
        .get(server.url("/supervisor/figures.json"))
        .bearer_auth(&value)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Sign-out from another site is refused; from the page it ends the session.
    let r = http
        .post(server.url("/supervisor/logout"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(get(cookie.clone()).await.status(), 200, "still signed in");
    let r = http
        .post(server.url("/supervisor/logout"))
        .header("cookie", &cookie)
        .header("origin", server.url(""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(get(cookie).await.status(), 401, "the old cookie after sign-out");
}
