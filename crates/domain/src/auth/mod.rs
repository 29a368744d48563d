//! Authentication: staff login with refresh sessions and TOTP, access JWTs, integrator tokens,
//! and resolving a bearer credential into a [`crate::access::Caller`].

pub mod authenticate;
mod hs256;
pub mod jwt;
pub mod login;
pub mod secrets;
pub mod sessions;
mod throttle;
pub mod tokens;
pub mod totp;
