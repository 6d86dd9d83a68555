#![doc = include_str!("../README.md")]
//!
//! # Layers
//!
//! Each knows only the one below it: `openapi.yaml` → `build.rs` (progenitor and the
//! resource generator) → [`raw`] (progenitor's client, unmodified: wire types, typed mocks, an
//! escape hatch); the transport (authentication, time limits, retries, rate-limit throttle,
//! size limit) → [`resource`] (list, every item, get, create, update, delete, the same for
//! every resource, each record decoded on its own by [`record`] over [`wire`]) →
//! [`resources`] (every resource's generated model, forms and [`resources::Resources`]
//! handle; what the spec cannot say, added by hand), with [`Client`], [`Page`] and [`Error`].
//! Beside them, [`Client::call`] and [`Client::call_pages`] reach any path under the base URL
//! through the same transport, for what the resources do not cover.
#![warn(missing_docs)]

mod any;
#[cfg(feature = "catalog")]
pub mod catalog;
mod classify;
mod client;
pub mod decode;
mod error;
mod form;
#[cfg(feature = "httpmock")]
pub mod mock;
mod pagination;
mod ratelimit;
pub mod raw;
pub mod record;
pub mod resource;
pub mod resources;
pub mod retry;
pub mod text;
mod transport;
pub mod wire;

pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_ANSWER_BYTES,
    DEFAULT_TIMEOUT,
};
pub use error::Error;
pub use pagination::{Page, PerPage, MAX_CONCURRENCY, MAX_PAGES};
pub use retry::RetryPolicy;
pub use transport::Transport;
