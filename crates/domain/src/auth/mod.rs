//! Authentication: staff login with refresh sessions and TOTP, changing one's own password,
//! access JWTs, integrator tokens, and resolving a bearer credential into a [`crate::access::Caller`].

pub mod authenticate;
mod hs256;
pub mod jwt;
pub mod login;
pub mod password_change;
pub mod secrets;
pub mod sessions;
mod throttle;
pub mod tokens;
pub mod totp;
