//! End-to-end tests of opsdeck over HTTP. One binary, one module per capability.

mod helpers;

mod access;
mod audit;
mod bulk;
mod cli;
mod exports;
mod foundation;
mod identity;
mod kpis;
mod migrations;
mod robustness;
mod spa;
mod webhooks;
mod worker;
