//! Bindings generated from the WIT. One module per supported interface
//! version; the rest of the crate converts them to its own types (the
//! newest version's shape), so a new version adds a module here and
//! conversions, nothing else.

pub mod v0_1 {
    pub mod carrier {
        wasmtime::component::bindgen!({
            path: "wit/since_v0.1.0",
            world: "carrier-plugin",
        });
    }
    pub mod router {
        wasmtime::component::bindgen!({
            path: "wit/since_v0.1.0",
            world: "router-plugin",
            additional_derives: [PartialEq, Eq],
        });
    }
}

pub mod v0_2 {
    pub mod carrier {
        wasmtime::component::bindgen!({
            path: "wit/since_v0.2.0",
            world: "carrier-plugin",
        });
    }
    pub mod router {
        wasmtime::component::bindgen!({
            path: "wit/since_v0.2.0",
            world: "router-plugin",
            additional_derives: [PartialEq, Eq],
        });
    }
    pub mod intake {
        wasmtime::component::bindgen!({
            path: "wit/since_v0.2.0",
            world: "intake-plugin",
            additional_derives: [PartialEq, Eq],
        });
    }
}

pub mod v0_3 {
    pub mod carrier {
        wasmtime::component::bindgen!({
            path: "wit/since_v0.3.0",
            world: "carrier-plugin",
        });
    }
    pub mod router {
        wasmtime::component::bindgen!({
            path: "wit/since_v0.3.0",
            world: "router-plugin",
            additional_derives: [PartialEq, Eq],
        });
    }
    pub mod intake {
        wasmtime::component::bindgen!({
            path: "wit/since_v0.3.0",
            world: "intake-plugin",
            additional_derives: [PartialEq, Eq],
        });
    }
}
