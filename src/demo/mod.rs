//! The demo data set `convene serve --demo` loads into an empty database, so a new user sees
//! a working service at once: two prisons and a probation office with their regimes and
//! closures, an open intake with applications in every state, volunteers at every stage,
//! cases in every state (some booked, some waiting for a booking) and expense claims.
//!
//! Everything goes through the services' own functions, so the demo obeys the rules that data
//! entered by hand obeys, and every date is counted from today, so the demo stays sensible
//! whenever it is loaded. History no service can enter (a conference held last month, the
//! founding leads) is written directly, in the few places that say so.

mod cases;
mod expenses;
mod people;
mod places;
mod recruitment;

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use entity::Code;
use entity::user::{self, Role};
use entity::{establishment, intake};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait};
use url::Url;

use crate::web::identity::AuthUser;

/// A sign-in the demo prints.
#[derive(Clone, Debug)]
pub struct Login {
    pub role: Role,
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    /// The demo was loaded; these are its sign-ins (admin, coordinator, volunteer).
    Loaded(Vec<Login>),
    /// The database already held data, so nothing was written.
    NotEmpty,
}

/// What every part of the demo works with.
struct Demo<'a> {
    db: &'a DatabaseConnection,
    base_url: &'a Url,
    today: NaiveDate,
    coordinator: AuthUser,
}

impl Demo<'_> {
    /// The day `offset` days from today (negative: in the past).
    fn day(&self, offset: i64) -> NaiveDate {
        self.today + Duration::days(offset)
    }
}

/// A database with no accounts, establishments or intakes: nothing anyone entered.
async fn is_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(user::Entity::find().count(db).await? == 0
        && establishment::Entity::find().count(db).await? == 0
        && intake::Entity::find().count(db).await? == 0)
}

/// Loads the demo into an empty database; leaves any other database untouched.
pub async fn load(db: &DatabaseConnection, base_url: &Url) -> anyhow::Result<Outcome> {
    if !is_empty(db).await? {
        return Ok(Outcome::NotEmpty);
    }
    let (staff, mut logins) = people::staff(db).await?;
    let demo = Demo { db, base_url, today: crate::clock::today(), coordinator: staff.coordinator };
    let places = places::establishments(&demo).await?;
    let team = people::volunteers(&demo, &places).await?;
    recruitment::open_intake(&demo).await?;
    cases::cases(&demo, &places, &team).await?;
    expenses::claims(&demo, &team).await?;
    logins.push(team.login.clone());
    Ok(Outcome::Loaded(logins))
}

/// `convene serve --demo`: loads the demo and prints its sign-ins, or says why it did not.
pub async fn load_and_print(db: &DatabaseConnection, base_url: &Url) -> anyhow::Result<()> {
    let outcome = load(db, base_url)
        .await
        .context("loading the demo data (it may be partly loaded: start again on an empty database)")?;
    match outcome {
        Outcome::NotEmpty => println!("demo: the database already holds data; the demo was not loaded"),
        Outcome::Loaded(logins) => {
            println!("demo: loaded the demo service; sign in at {base_url}login with");
            for login in logins {
                println!("  {:<12} {}  password: {}", login.role.code(), login.email, login.password);
            }
        }
    }
    Ok(())
}
