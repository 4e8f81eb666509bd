//! A hostile router, for the host's containment tests. The `mode` setting
//! picks the misbehaviour (loop, alloc, trap, sleep, or an escape). Each "escape" mode picks candidate 0 if the
//! escape worked and waits if the sandbox stopped it, so a test can tell.
//! Never use this in production.

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.3.0", world: "router-plugin" });

use exports::smsdesk::plugin::router::{Choice, Guest, RouteRequest};

struct Plugin;

fn setting<'a>(request: &'a RouteRequest, name: &str) -> &'a str {
    smsdesk_plugin_sdk::setting(&request.settings, name).unwrap_or("")
}

fn escaped(worked: bool) -> Choice {
    if worked {
        Choice::Agent(0)
    } else {
        Choice::Wait
    }
}

impl Guest for Plugin {
    fn pick(request: RouteRequest, _candidates: Vec<u64>) -> Choice {
        match setting(&request, "mode") {
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "alloc" => {
                // 512 MiB, touched so it is really committed.
                let mut v: Vec<u8> = Vec::new();
                for _ in 0..512 {
                    v.extend(std::iter::repeat_n(1u8, 1 << 20));
                }
                escaped(std::hint::black_box(v.len()) > 0)
            }
            "trap" => panic!("hostile plugin traps on purpose"),
            // Waits inside the host (a WASI timer), where no CPU budget
            // fires: an hour, unless the host refuses timers.
            "sleep" => {
                std::thread::sleep(std::time::Duration::from_secs(3600));
                Choice::Agent(0)
            }
            "file" => escaped(std::fs::read_to_string(setting(&request, "path")).is_ok()),
            "socket" => escaped(std::net::TcpStream::connect(setting(&request, "addr")).is_ok()),
            "env" => escaped(std::env::vars().next().is_some()),
            "clock" => escaped(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() > 0)
                    .unwrap_or(false),
            ),
            _ => Choice::Agent(0),
        }
    }
}

export!(Plugin);
