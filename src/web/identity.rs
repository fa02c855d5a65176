//! Who is asking, as the `identify` middleware (`auth::session`) found it: request extensions
//! every page and handler may read.

use entity::user;

/// The signed-in account.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: user::Role,
}

impl From<user::Model> for AuthUser {
    fn from(model: user::Model) -> Self {
        Self { id: model.id, email: model.email, name: model.name, role: model.role }
    }
}

/// Who is asking, as far as the request shows.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    pub user: Option<AuthUser>,
    /// Hash of the session cookie, when signed in through a browser.
    pub session_id_hash: Option<String>,
}

/// The token every state-changing form must send back.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// The client's address as seen by this process.
#[derive(Clone, Debug, Default)]
pub struct ClientIp(pub Option<String>);
