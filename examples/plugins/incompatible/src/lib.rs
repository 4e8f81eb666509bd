//! Test fixture: a router for interface version 0.9.0, which smsdesk 0.1
//! must refuse at load with a message naming both versions.

wit_bindgen::generate!({ path: "wit", world: "router-plugin" });

struct Plugin;

impl exports::smsdesk::plugin::router::Guest for Plugin {
    fn pick(_candidates: u32) -> u32 {
        0
    }
}

export!(Plugin);
