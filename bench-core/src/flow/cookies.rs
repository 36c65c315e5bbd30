//! A virtual user's cookie jar (opt-in, `[http] cookies = true`): `Set-Cookie` headers of its
//! responses are stored by name and sent back in a `Cookie` header. The jar serves one target,
//! so domains and paths are not matched; `Max-Age=0` (or a negative one) deletes a cookie,
//! other attributes are ignored.

/// Cookies by name, in the order first set.
#[derive(Debug, Clone, Default)]
pub struct CookieJar {
    cookies: Vec<(String, String)>,
}

impl CookieJar {
    /// Forget every cookie (a new journey starts with an empty jar).
    pub fn clear(&mut self) {
        self.cookies.clear();
    }

    /// Store the cookies of `set-cookie` headers among `headers`.
    pub fn store(&mut self, headers: &[(String, String)]) {
        for (name, value) in headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                self.set(value);
            }
        }
    }

    fn set(&mut self, header: &str) {
        let mut parts = header.split(';');
        let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return;
        }
        let expired = parts.any(|a| {
            let (k, v) = a.split_once('=').unwrap_or((a, ""));
            k.trim().eq_ignore_ascii_case("max-age")
                && v.trim().parse::<i64>().is_ok_and(|n| n <= 0)
        });
        self.cookies.retain(|(n, _)| n != name);
        if !expired {
            self.cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    /// The `Cookie` header's value, if there are cookies.
    #[must_use]
    pub fn header(&self) -> Option<String> {
        if self.cookies.is_empty() {
            return None;
        }
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        Some(pairs.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_replaces_and_deletes() {
        let mut jar = CookieJar::default();
        assert_eq!(jar.header(), None);
        let h = |v: &str| {
            vec![
                ("Set-Cookie".to_owned(), v.to_owned()),
                ("x".into(), "y".into()),
            ]
        };
        jar.store(&h("session=abc; Path=/; HttpOnly"));
        jar.store(&h("theme=dark"));
        assert_eq!(jar.header().as_deref(), Some("session=abc; theme=dark"));
        jar.store(&h("session=def"));
        assert_eq!(jar.header().as_deref(), Some("theme=dark; session=def"));
        jar.store(&h("theme=; Max-Age=0"));
        assert_eq!(jar.header().as_deref(), Some("session=def"));
        jar.store(&h("garbage"));
        jar.clear();
        assert_eq!(jar.header(), None);
    }
}
