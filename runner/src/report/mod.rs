//! Reports. A report is a document ([`document`]) built once ([`outline`]) and rendered by the
//! markdown, HTML and terminal backends, which return text; [`output`] writes the files.

pub mod actions;
pub mod chart;
pub mod charts;
pub mod combine;
pub mod document;
pub mod finding;
pub mod format;
pub mod html;
pub mod markdown;
pub mod markdown_text;
pub mod mermaid;
pub mod outline;
pub mod output;
pub mod reasons;
pub mod saturation;
pub mod tables;
pub mod terminal;
pub mod wording;
