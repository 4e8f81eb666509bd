//! What a component is: which smsdesk world it implements (carrier,
//! router or intake), against which interface version, and what it imports and
//! exports. The host refuses a plugin of the wrong world or of an
//! interface version it does not support, before instantiating anything.

use std::path::Path;

use wasmtime::component::Component;
use wasmtime::Engine;

use crate::error::PluginError;
use crate::SUPPORTED_VERSIONS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum World {
    Carrier,
    Router,
    Intake,
}

impl World {
    pub fn name(self) -> &'static str {
        match self {
            World::Carrier => "carrier",
            World::Router => "router",
            World::Intake => "intake",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PluginInfo {
    pub world: World,
    /// The smsdesk interface version it was built against, e.g. "0.1.0".
    pub version: String,
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

const PACKAGE: &str = "smsdesk:plugin/";

/// Reads the world and version from the component's exports.
pub fn inspect(engine: &Engine, component: &Component, path: &Path) -> Result<PluginInfo, PluginError> {
    let ty = component.component_type();
    let imports: Vec<String> = ty.imports(engine).map(|(name, _)| name.to_owned()).collect();
    let exports: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_owned()).collect();
    let found = exports.iter().find_map(|e| {
        let rest = e.strip_prefix(PACKAGE)?;
        let (interface, version) = rest.split_once('@')?;
        let world = match interface {
            "carrier" => World::Carrier,
            "router" => World::Router,
            "intake" => World::Intake,
            _ => return None,
        };
        Some((world, version.to_owned()))
    });
    let Some((world, version)) = found else {
        return Err(PluginError::NotAPlugin {
            path: path.to_owned(),
            exports: if exports.is_empty() {
                "none".into()
            } else {
                exports.join(", ")
            },
        });
    };
    if !SUPPORTED_VERSIONS.contains(&version.as_str()) {
        return Err(PluginError::Incompatible {
            path: path.to_owned(),
            found: version,
            supported: SUPPORTED_VERSIONS.join(", "),
            newest: crate::INTERFACE_VERSION.to_owned(),
        });
    }
    Ok(PluginInfo {
        world,
        version,
        imports,
        exports,
    })
}
