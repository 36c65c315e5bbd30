//! Reports. Renderers return text; callers decide where it goes.

pub mod actions;
pub mod chart;
pub mod charts;
pub mod combine;
pub mod finding;
pub mod format;
pub mod html;
pub mod markdown;
pub mod markdown_text;
pub mod mermaid;
pub mod saturation;
pub mod tables;
pub mod terminal;
pub mod wording;
