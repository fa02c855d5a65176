//! Every absolute URL the service hands out — in emails, calendar feeds and API answers —
//! built one way, from the configured base URL (`Settings::base_url`).

use url::Url;

/// The service's addresses under one base URL.
#[derive(Clone, Copy)]
pub struct Links<'a> {
    base: &'a Url,
}

impl<'a> Links<'a> {
    pub fn new(base: &'a Url) -> Self {
        Self { base }
    }

    /// The absolute URL of a path on this service. The base is checked when the settings are
    /// read, so joining an absolute path cannot fail; should it, the path itself is given.
    pub fn to(&self, path: &str) -> String {
        self.base.join(path).map_or_else(|_| path.to_owned(), |u| u.to_string())
    }

    pub fn conference(&self, id: i64) -> String {
        self.to(&format!("/conferences/{id}"))
    }

    pub fn expense_claim(&self, id: i64) -> String {
        self.to(&format!("/expenses/{id}"))
    }

    pub fn application(&self, id: i64) -> String {
        self.to(&format!("/applications/{id}"))
    }

    /// The applicant's private status page.
    pub fn application_status(&self, token: &str) -> String {
        self.to(&format!("/applications/status/{token}"))
    }

    /// The single-use link to set a password.
    pub fn invitation(&self, token: &str) -> String {
        self.to(&format!("/invitations/{token}"))
    }

    pub fn password_reset(&self, token: &str) -> String {
        self.to(&format!("/password/reset/{token}"))
    }

    pub fn training_session(&self, id: i64) -> String {
        self.to(&format!("/sessions/{id}"))
    }

    pub fn case(&self, id: i64) -> String {
        self.to(&format!("/cases/{id}"))
    }

    pub fn case_candidates(&self, case_id: i64) -> String {
        self.to(&format!("/cases/{case_id}/candidates"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_base_path_scheme_and_port() {
        let base = Url::parse("https://rj.example.org:8443/").unwrap();
        let links = Links::new(&base);
        assert_eq!(links.conference(7), "https://rj.example.org:8443/conferences/7");
        assert_eq!(links.application_status("abc"), "https://rj.example.org:8443/applications/status/abc");
        assert_eq!(links.to("/"), "https://rj.example.org:8443/");
    }
}
