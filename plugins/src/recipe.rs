//! How a plugin of one kind is instantiated: the `Recipe` trait over the
//! generated `…Pre` types (one per world and interface version), and
//! `Versions`, the recipe of a kind that loads more than one interface
//! version. A kind names its recipe (a generated type, or `Versions` of
//! its versions) and `Loaded` does the rest.

use wasmtime::component::InstancePre;
use wasmtime::Store;

use crate::bindings::{v0_1, v0_2, v0_3};
use crate::inspect::PluginInfo;
use crate::sandbox::HostState;

/// A component ready to instantiate, and what an instance exports.
pub(crate) trait Recipe: Sized {
    type Bindings;
    /// The recipe for a component of `info`'s interface version.
    fn for_version(pre: InstancePre<HostState>, info: &PluginInfo) -> wasmtime::Result<Self>;
    /// A new instance in `store`.
    fn start(&self, store: &mut Store<HostState>) -> wasmtime::Result<Self::Bindings>;
}

/// `Recipe` for generated `…Pre` types (their methods are inherent, not a
/// trait's).
macro_rules! generated {
    ($($pre:ty => $bindings:ty,)*) => {$(
        impl Recipe for $pre {
            type Bindings = $bindings;
            fn for_version(pre: InstancePre<HostState>, _: &PluginInfo) -> wasmtime::Result<Self> {
                Self::new(pre)
            }
            fn start(&self, store: &mut Store<HostState>) -> wasmtime::Result<Self::Bindings> {
                self.instantiate(store)
            }
        }
    )*};
}

generated! {
    v0_1::carrier::CarrierPluginPre<HostState> => v0_1::carrier::CarrierPlugin,
    v0_2::carrier::CarrierPluginPre<HostState> => v0_2::carrier::CarrierPlugin,
    v0_1::router::RouterPluginPre<HostState> => v0_1::router::RouterPlugin,
    v0_2::router::RouterPluginPre<HostState> => v0_2::router::RouterPlugin,
    v0_2::intake::IntakePluginPre<HostState> => v0_2::intake::IntakePlugin,
    v0_3::carrier::CarrierPluginPre<HostState> => v0_3::carrier::CarrierPlugin,
    v0_3::router::RouterPluginPre<HostState> => v0_3::router::RouterPlugin,
    v0_3::intake::IntakePluginPre<HostState> => v0_3::intake::IntakePlugin,
}

/// The slot of a version a world never had (intake bots began at 0.2.0):
/// never built, as the loader refuses such a component first.
pub(crate) enum Never {}

impl Recipe for Never {
    type Bindings = Never;

    fn for_version(_: InstancePre<HostState>, info: &PluginInfo) -> wasmtime::Result<Self> {
        Err(wasmtime::Error::msg(format!(
            "this world has no interface version {}",
            info.version
        )))
    }

    fn start(&self, _: &mut Store<HostState>) -> wasmtime::Result<Never> {
        match *self {}
    }
}

/// One of the interface versions: the recipe, or an instance's exports.
pub(crate) enum Versions<A, B, C> {
    V0_1(A),
    V0_2(B),
    V0_3(C),
}

impl<A: Recipe, B: Recipe, C: Recipe> Recipe for Versions<A, B, C> {
    type Bindings = Versions<A::Bindings, B::Bindings, C::Bindings>;

    fn for_version(pre: InstancePre<HostState>, info: &PluginInfo) -> wasmtime::Result<Self> {
        match info.version.as_str() {
            "0.1.0" => A::for_version(pre, info).map(Self::V0_1),
            "0.2.0" => B::for_version(pre, info).map(Self::V0_2),
            _ => C::for_version(pre, info).map(Self::V0_3),
        }
    }

    fn start(&self, store: &mut Store<HostState>) -> wasmtime::Result<Self::Bindings> {
        match self {
            Self::V0_1(pre) => pre.start(store).map(Versions::V0_1),
            Self::V0_2(pre) => pre.start(store).map(Versions::V0_2),
            Self::V0_3(pre) => pre.start(store).map(Versions::V0_3),
        }
    }
}
