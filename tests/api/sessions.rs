//! Sessions that really end: an access token names its session and dies with it (logout, a
//! detected refresh-token theft), carries its type and audience, and no session outlives its
//! absolute lifetime however often it is refreshed.

use base64::Engine;
use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use opsdeck_domain::enums::Role;
use reqwest::{StatusCode, header};
use sea_orm::{ConnectionTrait, sea_query::Query};
use serde_json::{Value, json};

use crate::helpers::{SIGNING_KEY, TestApp, TestResult, problem};

fn decode_part(token: &str, index: usize) -> TestResult<Value> {
    let part = token.split('.').nth(index).ok_or("not a JWT")?;
    Ok(serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part)?)?)
}

#[tokio::test]
async fn logout_ends_the_access_token_at_once() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let (browser, access) = app.browser_login("olivia", &password).await?;
    assert_eq!(app.get_as(&access, "/api/v1/me").await?.status(), StatusCode::OK);

    let logout = browser.post(app.url("/api/v1/auth/logout")).send().await?;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);

    let after = app.get_as(&access, "/api/v1/me").await?;
    assert_eq!(problem(after).await?, (StatusCode::UNAUTHORIZED, "invalid_token"));
    Ok(())
}

#[tokio::test]
async fn a_detected_refresh_token_theft_ends_every_access_token_of_the_session() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let (browser, first_access) = app.browser_login("olivia", &password).await?;
    let stolen = app.url("/api/v1/auth/refresh");
    let first_cookie = browser
        .post(&stolen)
        .send()
        .await?
        .cookies()
        .find(|c| c.name() == "opsdeck_refresh")
        .map(|c| c.value().to_owned());
    assert!(first_cookie.is_some());
    // The browser refreshes again; the thief then replays the cookie it copied before.
    let refreshed: Value = browser.post(&stolen).send().await?.json().await?;
    let second_access = refreshed["access_token"].as_str().ok_or("no access token")?.to_owned();
    let replay = reqwest::Client::new()
        .post(&stolen)
        .header(header::COOKIE, format!("opsdeck_refresh={}", first_cookie.unwrap_or_default()))
        .send()
        .await?;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.refresh_reuse_detected'").await?, 1);

    for access in [first_access, second_access] {
        let response = app.get_as(&access, "/api/v1/me").await?;
        assert_eq!(problem(response).await?, (StatusCode::UNAUTHORIZED, "invalid_token"));
    }
    Ok(())
}

#[tokio::test]
async fn access_tokens_name_their_session_type_and_audience_and_need_all_three() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let (_, access) = app.browser_login("olivia", &password).await?;
    let header = decode_part(&access, 0)?;
    let claims = decode_part(&access, 1)?;
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(claims["aud"], "opsdeck-api");
    let sid = claims["sid"].as_str().ok_or("no sid")?.to_owned();
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM refresh_sessions WHERE family_id = '{sid}'")).await?, 1);

    let now = Utc::now().timestamp();
    let user_id = claims["sub"].as_str().ok_or("no sub")?.to_owned();
    let complete =
        json!({"sub": user_id, "iss": "opsdeck", "aud": "opsdeck-api", "sid": sid, "iat": now, "exp": now + 600});
    let sign = |typ: Option<&str>, claims: &Value| -> TestResult<String> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".to_owned());
        header.typ = typ.map(str::to_owned);
        Ok(encode(&header, claims, &EncodingKey::from_secret(SIGNING_KEY.as_bytes()))?)
    };
    let sanity = sign(Some("at+jwt"), &complete)?;
    assert_eq!(app.get_as(&sanity, "/api/v1/me").await?.status(), StatusCode::OK, "the forging itself is right");

    let without = |field: &str| {
        let mut claims = complete.clone();
        claims.as_object_mut().map(|c| c.remove(field));
        claims
    };
    let mut foreign_audience = complete.clone();
    foreign_audience["aud"] = "another-service".into();
    let mut unknown_session = complete.clone();
    unknown_session["sid"] = "not-a-session".into();
    for (case, token) in [
        ("plain JWT type", sign(Some("JWT"), &complete)?),
        ("no type", sign(None, &complete)?),
        ("no audience", sign(Some("at+jwt"), &without("aud"))?),
        ("another audience", sign(Some("at+jwt"), &foreign_audience)?),
        ("no session", sign(Some("at+jwt"), &without("sid"))?),
        ("unknown session", sign(Some("at+jwt"), &unknown_session)?),
    ] {
        let response = app.get_as(&token, "/api/v1/me").await?;
        assert_eq!(problem(response).await?, (StatusCode::UNAUTHORIZED, "invalid_token"), "{case}");
    }
    Ok(())
}

#[tokio::test]
async fn a_session_ends_after_its_absolute_lifetime_however_often_it_is_refreshed() -> TestResult {
    let app = TestApp::spawn().await?;
    let password = app.user("olivia", Role::Ops, None).await?;
    let (browser, _) = app.browser_login("olivia", &password).await?;
    assert_eq!(browser.post(app.url("/api/v1/auth/refresh")).send().await?.status(), StatusCode::OK);

    // The login was 31 days ago; the refresh tokens themselves are fresh.
    let long_ago = Utc::now() - Duration::days(31);
    app.db.conn().execute(&Query::update().table("refresh_sessions").value("created_at", long_ago).to_owned()).await?;
    let refresh = browser.post(app.url("/api/v1/auth/refresh")).send().await?;
    assert_eq!(problem(refresh).await?, (StatusCode::UNAUTHORIZED, "invalid_refresh_token"));
    Ok(())
}
