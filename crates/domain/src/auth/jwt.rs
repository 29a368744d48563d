//! Short-lived access tokens: HS256 JWTs with a `kid`, so keys rotate without logging anyone
//! out. The current key signs; previous keys still verify until their tokens expire. Each names
//! its type (`typ: at+jwt`, RFC 9068), audience and session, so it is never mistaken for
//! another kind of JWT and dies with its session.

use std::{collections::HashMap, path::Path, time::Duration};

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::{
    DomainError,
    config::{AuthSettings, SigningKey},
};

const ISSUER: &str = "opsdeck";
const AUDIENCE: &str = "opsdeck-api";
const TOKEN_TYPE: &str = "at+jwt";
const GENERATED_KEY_FILE: &str = "jwt-signing.key";
const GENERATED_KID: &str = "local";

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    /// The session (refresh family) the token was issued for.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

/// What a valid access token says.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub user_id: i64,
    pub session_id: String,
}

pub struct KeyRing {
    kid: String,
    /// The current signing secret, kept only to derive keys for other purposes.
    current: SecretString,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    ttl: Duration,
}

impl KeyRing {
    /// The configured keys; without `OPSDECK_JWT_SIGNING_KEY`, a key generated once and kept in
    /// the storage directory (fine for one instance; several instances must share a key).
    pub fn load(settings: &AuthSettings, storage_dir: &Path) -> Result<Self, DomainError> {
        super::hs256::install();
        let current = match &settings.signing_key {
            Some(key) => key.clone(),
            None => SigningKey { kid: GENERATED_KID.to_owned(), secret: generated_key(storage_dir)? },
        };
        let mut decoding = HashMap::new();
        for key in settings.previous_keys.iter().chain(std::iter::once(&current)) {
            decoding.insert(key.kid.clone(), DecodingKey::from_secret(key.secret.expose_secret().as_bytes()));
        }
        Ok(Self {
            kid: current.kid.clone(),
            encoding: EncodingKey::from_secret(current.secret.expose_secret().as_bytes()),
            current: current.secret.clone(),
            decoding,
            ttl: settings.access_token_ttl,
        })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A key for another signing purpose (e.g. bulk-job confirmation tokens): HMAC-SHA256 of
    /// the purpose under the current signing secret. Every instance sharing the signing key
    /// derives the same key, and a key for one purpose never verifies another's tokens.
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(self.current.expose_secret().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    pub fn issue(&self, user_id: i64, session_id: &str) -> Result<String, DomainError> {
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            sub: user_id.to_string(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sid: session_id.to_owned(),
            iat: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(900),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        header.typ = Some(TOKEN_TYPE.to_owned());
        encode(&header, &claims, &self.encoding).map_err(|e| DomainError::Internal(format!("signing failed: {e}")))
    }

    /// The user and session of a valid token. Anything else (expired, forged, `alg: none`,
    /// unknown `kid`, another type or audience, no session) is one `invalid_token` answer: the
    /// caller learns nothing about why.
    pub fn verify(&self, token: &str) -> Result<Verified, DomainError> {
        let invalid = || DomainError::unauthenticated("invalid_token", "the access token is invalid or expired");
        let header = decode_header(token).map_err(|_| invalid())?;
        if header.typ.as_deref() != Some(TOKEN_TYPE) {
            return Err(invalid());
        }
        let key = header.kid.as_ref().and_then(|kid| self.decoding.get(kid)).ok_or_else(invalid)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let claims = decode::<AccessClaims>(token, key, &validation).map_err(|_| invalid())?.claims;
        Ok(Verified { user_id: claims.sub.parse().map_err(|_| invalid())?, session_id: claims.sid })
    }
}

fn generated_key(storage_dir: &Path) -> Result<SecretString, DomainError> {
    let path = storage_dir.join(GENERATED_KEY_FILE);
    let io = |e: std::io::Error| DomainError::Internal(format!("signing key file {}: {e}", path.display()));
    let read = |path: &Path| -> Result<Option<SecretString>, DomainError> {
        match std::fs::read_to_string(path) {
            Ok(existing) if existing.trim().len() >= 32 => Ok(Some(SecretString::from(existing.trim().to_owned()))),
            Ok(_) => Err(DomainError::Internal(format!("signing key file {} is too short", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    };
    if let Some(existing) = read(&path)? {
        return Ok(existing);
    }
    std::fs::create_dir_all(storage_dir).map_err(io)?;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    // Written whole under a name of its own, then linked into place: processes starting together
    // on one storage directory never read a half-written key, and the first link wins.
    let draft = storage_dir.join(format!("{GENERATED_KEY_FILE}.{}", hex::encode(rand::random::<[u8; 8]>())));
    write_private(&draft, &secret).map_err(io)?;
    let linked = std::fs::hard_link(&draft, &path);
    let _ = std::fs::remove_file(&draft);
    match linked {
        Ok(()) => Ok(SecretString::from(secret)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            read(&path)?.ok_or_else(|| DomainError::Internal(format!("signing key file {} vanished", path.display())))
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_starting_together_share_one_generated_key() -> Result<(), DomainError> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("opsdeck-key-{}-{nanos}", std::process::id()));
        let keys: Vec<Result<SecretString, DomainError>> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..16).map(|_| scope.spawn(|| generated_key(&dir))).collect();
            starts
                .into_iter()
                .map(|start| start.join().unwrap_or_else(|_| Err(DomainError::Internal("panicked".into()))))
                .collect()
        });
        let keys = keys.into_iter().collect::<Result<Vec<_>, _>>()?;
        let first = keys.first().map(|key| key.expose_secret().to_owned()).unwrap_or_default();
        assert_eq!(first.len(), 64);
        assert!(keys.iter().all(|key| key.expose_secret() == first), "every start reads the same key");
        let files = std::fs::read_dir(&dir).map(Iterator::count).unwrap_or(0);
        assert_eq!(files, 1, "no draft is left behind");
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
    use crate::config::Settings;

    fn ring(vars: &[(&str, &str)]) -> Result<KeyRing, Box<dyn std::error::Error>> {
        let settings = Settings::from_vars(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))?;
        Ok(KeyRing::load(&settings.auth, Path::new("/nonexistent"))?)
    }

    const OLD: &str = "old-key-old-key-old-key-old-key-old-key";
    const NEW: &str = "new-key-new-key-new-key-new-key-new-key";

    #[test]
    fn a_token_verifies_until_it_expires() -> Result<(), Box<dyn std::error::Error>> {
        let ring = ring(&[("OPSDECK_JWT_SIGNING_KEY", NEW)])?;
        let verified = ring.verify(&ring.issue(42, "s1")?)?;
        assert_eq!(verified, Verified { user_id: 42, session_id: "s1".to_owned() });
        Ok(())
    }

    #[test]
    fn rotation_keeps_tokens_signed_by_the_previous_key_valid() -> Result<(), Box<dyn std::error::Error>> {
        let before = ring(&[("OPSDECK_JWT_SIGNING_KEY", OLD), ("OPSDECK_JWT_KEY_ID", "k1")])?;
        let token = before.issue(7, "s1")?;
        let previous = format!("k1:{OLD}");
        let after = ring(&[
            ("OPSDECK_JWT_SIGNING_KEY", NEW),
            ("OPSDECK_JWT_KEY_ID", "k2"),
            ("OPSDECK_JWT_PREVIOUS_KEYS", &previous),
        ])?;
        assert_eq!(after.verify(&token)?.user_id, 7);
        let dropped = ring(&[("OPSDECK_JWT_SIGNING_KEY", NEW), ("OPSDECK_JWT_KEY_ID", "k2")])?;
        assert!(dropped.verify(&token).is_err(), "an unknown kid is refused");
        Ok(())
    }

    #[test]
    fn forged_and_unsigned_tokens_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        let ring = ring(&[("OPSDECK_JWT_SIGNING_KEY", NEW), ("OPSDECK_JWT_KEY_ID", "k1")])?;
        let token = ring.issue(1, "s1")?;
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged_payload = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"sub":"2","iss":"opsdeck","iat":0,"exp":99999999999}"#,
        );
        parts[1] = &forged_payload;
        assert!(ring.verify(&parts.join(".")).is_err());
        let none_header =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, br#"{"alg":"none","kid":"k1"}"#);
        assert!(ring.verify(&format!("{none_header}.{forged_payload}.")).is_err());
        assert!(ring.verify("garbage").is_err());
        Ok(())
    }
}
