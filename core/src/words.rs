//! Fixed sets of words (states and kinds) as enums: one macro gives each its
//! `ALL`, `as_str`, parsing, and its JSON form, instead of hand-kept tables.
//! Text read from the database that is none of the words is a `storage`
//! error, never a silent fallback.

use crate::error::{Error, Result};

/// An enum whose values are words (see [`crate::words!`]).
pub trait Words: Sized + Copy + PartialEq + 'static {
    /// What the words name, for error messages: "booking status".
    const WHAT: &'static str;
    const ALL: &'static [Self];
    /// The words, in the order of `ALL`.
    const STRS: &'static [&'static str];
    fn as_str(self) -> &'static str;

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|w| w.as_str() == s)
    }

    /// One of `STRS` (already checked by the caller).
    fn from_known(s: &str) -> Self {
        Self::parse(s).expect("one of the words")
    }

    /// Text read from the database: unknown text is a `storage` error.
    fn stored(s: &str) -> Result<Self> {
        Self::parse(s).ok_or_else(|| Error::Storage(format!("unknown {} {s:?}", Self::WHAT)))
    }
}

/// `words! { pub enum Status("deal status") { Draft = "draft", ... } }`.
#[macro_export]
macro_rules! words {
    ($(#[$m:meta])* $vis:vis enum $name:ident ($what:literal) { $($(#[$vm:meta])* $var:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $($(#[$vm])* $var),* }

        impl $crate::words::Words for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$(Self::$var),*];
            const STRS: &'static [&'static str] = &[$($s),*];
            fn as_str(self) -> &'static str {
                match self { $(Self::$var => $s),* }
            }
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$var),*];
            pub fn as_str(self) -> &'static str {
                <Self as $crate::words::Words>::as_str(self)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}
