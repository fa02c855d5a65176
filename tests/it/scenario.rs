//! Shared fixtures: a prison, facilitators cleared for it, a case ready to book, a booking;
//! and a scenario builder that sets up the usual cast in one line:
//! `app.scenario().prison().lead().co().ready_case().build().await`.

use chrono::{Datelike, Duration, NaiveTime, Weekday};
use entity::user::Role;
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

/// What the scenario adds, in order.
enum Step {
    Prison,
    Facilitator(FacilitationLevel),
    ReadyCase,
}

/// The usual cast of a test, set up in the order the steps are named. A coordinator and
/// their token always come first; facilitators and cases need a prison before them.
pub struct Scenario<'a> {
    app: &'a TestApp,
    steps: Vec<Step>,
}

/// What a [`Scenario`] set up.
pub struct World {
    pub coordinator: TestUser,
    /// The coordinator's API token.
    pub token: String,
    pub prison: i64,
    /// Volunteer ids, in the order they were added.
    pub facilitators: Vec<i64>,
    /// Case ids, in the order they were added.
    pub cases: Vec<i64>,
}

impl World {
    /// The facilitators' volunteer ids, as many as were added: `let [lead, co] = world.facilitators();`
    pub fn facilitators<const N: usize>(&self) -> [i64; N] {
        self.facilitators
            .clone()
            .try_into()
            .unwrap_or_else(|all: Vec<i64>| panic!("{} facilitators, not {N}", all.len()))
    }

    /// The one ready case.
    pub fn case(&self) -> i64 {
        assert_eq!(self.cases.len(), 1, "one case");
        self.cases[0]
    }
}

impl TestApp {
    pub fn scenario(&self) -> Scenario<'_> {
        Scenario { app: self, steps: Vec::new() }
    }
}

impl Scenario<'_> {
    /// A prison open Monday to Friday, 09:00–17:00, with one room.
    pub fn prison(mut self) -> Self {
        self.steps.push(Step::Prison);
        self
    }

    /// An active lead facilitator, cleared for the prison.
    pub fn lead(mut self) -> Self {
        self.steps.push(Step::Facilitator(FacilitationLevel::Lead));
        self
    }

    /// An active co-facilitator, cleared for the prison.
    pub fn co(mut self) -> Self {
        self.steps.push(Step::Facilitator(FacilitationLevel::CoFacilitator));
        self
    }

    /// A case at the prison, ready to book.
    pub fn ready_case(mut self) -> Self {
        self.steps.push(Step::ReadyCase);
        self
    }

    pub async fn build(self) -> World {
        let app = self.app;
        let coordinator = app.create_user(Role::Coordinator).await;
        let token = app.token_for(&coordinator).await;
        let mut world = World { coordinator, token, prison: 0, facilitators: Vec::new(), cases: Vec::new() };
        for step in self.steps {
            match step {
                Step::Prison => world.prison = prison(app, &world.token).await,
                Step::Facilitator(level) => {
                    assert!(world.prison != 0, "a prison before its facilitators");
                    world.facilitators.push(facilitator(app, world.prison, level).await);
                }
                Step::ReadyCase => {
                    assert!(world.prison != 0, "a prison before its cases");
                    world.cases.push(ready_case(app, &world.token, world.prison).await);
                }
            }
        }
        world
    }
}

/// A prison open Monday to Friday, 09:00–17:00, with one room.
pub(crate) async fn prison(app: &TestApp, token: &str) -> i64 {
    let id = crate::checks::establishment(app, "HMP Gloucester", true).await;
    entity::establishment::ActiveModel { id: Set(id), rooms: Set(1), ..Default::default() }
        .update(&app.db)
        .await
        .unwrap();
    let response = app
        .api(token)
        .put(
            &format!("/api/v1/establishments/{id}/regime"),
            &json!({"windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    id
}

/// An active facilitator, cleared and vetted at `prison`, available on weekdays.
pub(crate) async fn facilitator(app: &TestApp, prison: i64, level: FacilitationLevel) -> i64 {
    let user = app.create_user(Role::Volunteer).await;
    let record = convene::volunteers::service::for_user(&app.db, user.id).await.unwrap().unwrap();
    let today = crate::helpers::today();
    volunteer::ActiveModel {
        id: Set(record.id),
        status: Set(VolunteerStatus::Active),
        level: Set(level),
        trained_on: Set(Some(today - Duration::days(60))),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .unwrap();
    let now = crate::helpers::now();
    entity::dbs_check::ActiveModel {
        volunteer_id: Set(record.id),
        level: Set(entity::dbs_check::DbsLevel::Enhanced),
        certificate_number: Set(Some("001234567890".into())),
        issued_on: Set(Some(today - Duration::days(30))),
        update_service: Set(false),
        status: Set(entity::dbs_check::DbsStatus::Clear),
        notes: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    entity::prison_vetting::ActiveModel {
        volunteer_id: Set(record.id),
        establishment_id: Set(prison),
        level: Set("enhanced".into()),
        status: Set(entity::prison_vetting::VettingStatus::Cleared),
        cleared_on: Set(Some(today - Duration::days(30))),
        expires_on: Set(Some(today + Duration::days(700))),
        notes: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    for weekday in 0..5 {
        entity::availability_window::ActiveModel {
            volunteer_id: Set(record.id),
            weekday: Set(weekday),
            starts_at: Set(NaiveTime::from_hms_opt(8, 0, 0).unwrap()),
            ends_at: Set(NaiveTime::from_hms_opt(18, 0, 0).unwrap()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    record.id
}

/// A case referred by probation to `prison` (an offence, no parties yet), as the API answered.
pub(crate) async fn new_case(app: &TestApp, token: &str, prison: i64) -> Value {
    let response = app
        .api(token)
        .post(
            "/api/v1/cases",
            &json!({"source": "probation", "offence_category": "burglary", "establishment_id": prison}),
        )
        .await;
    assert_eq!(response.status(), 201, "a new case");
    response.json().await.expect("the case")
}

/// A case ready to book: suitable assessments and consent from a harmer and a harmed party.
pub(crate) async fn ready_case(app: &TestApp, token: &str, prison: i64) -> i64 {
    let case: Value = new_case(app, token, prison).await;
    let id = case["id"].as_i64().unwrap();
    for (role, name) in [("harmer", "Harry Harmer"), ("harmed", "Hannah Harmed")] {
        app.api(token)
            .post(&format!("/api/v1/cases/{id}/parties"), &json!({"role": role, "name": name, "consent": "given"}))
            .await;
    }
    for kind in ["risk", "appropriateness"] {
        app.api(token)
            .post(&format!("/api/v1/cases/{id}/assessments"), &crate::helpers::assessment_json(kind, "suitable"))
            .await;
    }
    for status in ["assessing", "ready"] {
        let response = app.api(token).patch(&format!("/api/v1/cases/{id}"), &json!({"status": status})).await;
        assert_eq!(response.status(), 200);
    }
    id
}

/// A Tuesday two to three weeks ahead.
pub(crate) fn a_tuesday() -> chrono::NaiveDate {
    let mut day = crate::helpers::today() + Duration::days(14);
    while day.weekday() != Weekday::Tue {
        day += Duration::days(1);
    }
    day
}

pub(crate) async fn book(
    app: &TestApp,
    token: &str,
    case: i64,
    start: &str,
    lead: i64,
    second: i64,
) -> reqwest::Response {
    app.api(token)
        .post(
            &format!("/api/v1/cases/{case}/conferences"),
            &json!({"start": start, "lead_id": lead, "second_id": second}),
        )
        .await
}

pub(crate) async fn token_of(app: &TestApp, volunteer_id: i64) -> String {
    let record = volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap();
    convene::auth::service::create_api_token(&app.db, record.user_id).await.unwrap()
}
