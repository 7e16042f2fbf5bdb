//! `shirube report`: an internal HTML page for customer-success leads, and the figures `status` shares with it.
//!
//! - [`status`]: every gated page's state and proof and what to prove next, computed once for `status` (text
//!   and JSON) and the report, so their numbers are the same.
//! - [`feedback`]: the "Was this helpful?" answers, read from a form's CSV export.
//! - [`page`] and [`svg`]: the report itself, one self-contained HTML file with inline SVG charts.
//!
//! The report names customers (who proved what) and quotes readers' comments: it is private like the manifest.
//! `cmd::report` refuses to write it into the published output; nothing here is used by `build`.

pub mod feedback;
pub mod page;
pub mod status;
pub mod svg;
