//! How a plugin of one kind is instantiated: the `Recipe` trait over the
//! generated `…Pre` types (one per world and interface version), and
//! `Versions`, the recipe of a kind that loads more than one interface
//! version. A kind names its recipe (a generated type, or `Versions` of
//! two) and `Loaded` does the rest.

use wasmtime::component::InstancePre;
use wasmtime::Store;

use crate::bindings::{v0_1, v0_2};
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
}

/// One of two interface versions: the recipe, or an instance's exports.
pub(crate) enum Versions<A, B> {
    V0_1(A),
    V0_2(B),
}

impl<A: Recipe, B: Recipe> Recipe for Versions<A, B> {
    type Bindings = Versions<A::Bindings, B::Bindings>;

    fn for_version(pre: InstancePre<HostState>, info: &PluginInfo) -> wasmtime::Result<Self> {
        if info.version == "0.1.0" {
            A::for_version(pre, info).map(Self::V0_1)
        } else {
            B::for_version(pre, info).map(Self::V0_2)
        }
    }

    fn start(&self, store: &mut Store<HostState>) -> wasmtime::Result<Self::Bindings> {
        match self {
            Self::V0_1(pre) => pre.start(store).map(Versions::V0_1),
            Self::V0_2(pre) => pre.start(store).map(Versions::V0_2),
        }
    }
}
