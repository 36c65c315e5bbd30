//! Reports. Renderers return text; callers decide where it goes.

pub mod chart;
pub mod saturation;
pub mod terminal;
