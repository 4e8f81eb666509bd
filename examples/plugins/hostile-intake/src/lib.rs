//! A hostile intake bot, for containment tests: what the customer texts
//! picks the misbehaviour. "trap" panics (with a message the host must
//! show), "loop" never returns, "memory" grows without end, "huge" keeps
//! more state than allowed, "garbage" answers too many texts, "error"
//! answers an error; anything else is asked again (and waits).

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.2.0", world: "intake-plugin" });

use exports::smsdesk::plugin::intake::{Guest, IntakeAnswer, IntakeRequest, Next};

struct Plugin;

impl Guest for Plugin {
    fn handle(request: IntakeRequest) -> Result<IntakeAnswer, String> {
        match request.body.trim() {
            "trap" => panic!("the customer said trap"),
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "memory" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "huge" => Ok(IntakeAnswer {
                texts: vec![],
                state: vec![7; 5000],
                next: Next::Wait,
            }),
            "garbage" => Ok(IntakeAnswer {
                texts: vec!["spam".into(); 50],
                state: vec![],
                next: Next::Wait,
            }),
            "error" => Err("this bot refuses".into()),
            _ => Ok(IntakeAnswer {
                texts: vec!["Say trap, loop, memory, huge, garbage or error.".into()],
                state: vec![],
                next: Next::Wait,
            }),
        }
    }
}

export!(Plugin);
