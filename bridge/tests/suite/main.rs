//! The bridge's integration tests, one binary (one link, one copy of
//! matrix-sdk and wasmtime on disk): in-process tests of the library
//! (`config`) and black-box tests of the real `smsdesk` binary, including
//! end to end with a real Synapse (`matrix_e2e`: the agent's day;
//! `matrix_recovery`: crashes, restarts, outages; `buttons`: reaction
//! buttons; `wallboard_signin`: supervisors' sign-in with Matrix) and the
//! demo script (`demo`). Run one file's tests with
//! `cargo nextest run -p smsdesk -E 'test(/^buttons::/)'`.
#![allow(clippy::unwrap_used)]

mod common;

mod app;
mod appservice;
mod appservice_masking;
mod backups;
mod buttons;
mod canned;
mod carriers;
mod check_config;
mod cli;
mod config;
mod dead_letters;
mod demo;
mod desk_mms;
mod desk_page;
mod desk_sso;
mod desk_team;
mod desk_widget;
mod encrypted_identity;
mod encrypted_mms;
mod encrypted_rooms;
mod flood;
mod gateway;
mod intake;
mod languages;
mod matrix_e2e;
mod matrix_recovery;
mod matrix_restore;
mod mms;
mod notes;
mod notifications;
mod outbound;
mod plugin_author;
mod plugin_cache;
mod plugin_guides;
mod plugin_test;
mod postgres;
mod postgres_appservice;
mod postgres_desk;
mod postgres_export;
mod postgres_import;
mod postgres_outage;
mod postgres_schema;
mod reload;
mod retention;
mod room_guard;
mod room_retention;
mod router_fields;
mod sticky;
mod supervisors;
mod wallboard;
mod wallboard_day;
mod wallboard_guessing;
mod wallboard_signin;
