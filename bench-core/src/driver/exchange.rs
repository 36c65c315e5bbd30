//! What a call may carry besides its request index: the virtual user's variables and extra
//! headers (its cookies) going out, and the response's headers and body coming back when a
//! check or an extraction needs them ([`crate::flow`]). A call without any of these passes an
//! empty exchange, which costs nothing: drivers keep encoding fixed requests once and count
//! response bodies without keeping them.

/// The per-call inputs and kept response parts of one call.
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    /// Values of the scenario's variables (`{{name}}`), indexed like
    /// [`crate::template::Names::vars`]; an unset variable is empty.
    pub vars: Vec<String>,
    /// Headers (gRPC metadata) sent besides the request's own, e.g. `cookie`.
    pub extra_headers: Vec<(String, String)>,
    /// Keep the response's headers (gRPC: headers and trailers) in `headers`.
    pub keep_headers: bool,
    /// Keep the response's body in `body` (gRPC: its messages as JSON, an array for streams).
    pub keep_body: bool,
    /// Response headers, lower-case names, when kept.
    pub headers: Vec<(String, String)>,
    /// Response body, when kept.
    pub body: Vec<u8>,
}

impl Exchange {
    /// Clear what the last call kept.
    pub fn clear_response(&mut self) {
        self.headers.clear();
        self.body.clear();
    }

    /// Whether the call needs more than its request index.
    #[must_use]
    pub fn is_plain(&self) -> bool {
        self.vars.is_empty()
            && self.extra_headers.is_empty()
            && !self.keep_headers
            && !self.keep_body
    }

    /// The first kept header named `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
