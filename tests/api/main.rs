//! End-to-end tests of opsdeck over HTTP. One binary, one module per capability.

mod helpers;

mod access;
mod audit;
mod cli;
mod exports;
mod foundation;
mod identity;
mod migrations;
mod worker;
