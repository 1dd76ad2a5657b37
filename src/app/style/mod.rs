//! The app's look: the colours ([`palette`]) and fonts ([`fonts`]). A colour is written only
//! here (clippy's `disallowed-methods` refuses colour constructors elsewhere).

pub mod fonts;
pub mod palette;
