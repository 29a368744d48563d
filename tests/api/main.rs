//! End-to-end tests of opsdeck over HTTP. One binary, one module per capability.

mod helpers;

mod access;
mod audit;
mod bulk;
mod cli;
mod cluster;
mod deployment;
mod exports;
mod foundation;
mod hardening;
mod idempotency;
mod identity;
mod kpis;
mod live;
mod mfa;
mod migrations;
mod passwords;
mod process;
mod robustness;
mod s3;
mod sessions;
mod spa;
mod suspension;
mod throttle;
mod tokens;
mod webhooks;
mod worker;
