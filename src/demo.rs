//! The demo data set `convene serve --demo` loads into an empty database, so a new user
//! sees a working service at once. It grows with each part of the service.

use entity::user::{self, Role};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::auth::service::{self, NewAccount};
use crate::auth::{Email, password};

const ACCOUNTS: [(&str, &str, Role); 3] = [
    ("admin@demo.convene.test", "Alex Admin", Role::Admin),
    ("coordinator@demo.convene.test", "Chris Coordinator", Role::Coordinator),
    ("volunteer@demo.convene.test", "Val Volunteer", Role::Volunteer),
];

/// Loads the demo into an empty database and prints the sign-ins; leaves any other
/// database untouched.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<()> {
    if user::Entity::find().count(db).await? > 0 {
        println!("demo: the database already has accounts; demo data not loaded");
        return Ok(());
    }
    println!("demo: loading demo data; sign in with");
    for (email, name, role) in ACCOUNTS {
        let email = Email::parse(email).map_err(anyhow::Error::msg)?;
        let secret = password::generate();
        service::create_account(
            db,
            NewAccount { email: email.clone(), name: name.into(), role, password: Some(secret.clone()) },
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating demo account {email}: {e}"))?;
        println!("  {:<12} {email}  password: {secret}", role.as_str());
    }
    Ok(())
}
