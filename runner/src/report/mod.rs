//! Reports. Renderers return text; callers decide where it goes.

pub mod terminal;
