//! The demo's people: an admin and two coordinators, and volunteers at every stage — active
//! leads and co-facilitators with DBS checks and prison vetting (one with a DBS renewal due
//! soon, one overdue for supervision), one trained but waiting for a renewed DBS, one in
//! training, one about to start, one paused and one who has left.

use anyhow::Context;
use chrono::{Months, NaiveDate};
use entity::Code;
use entity::attendance::Mark;
use entity::dbs_check::{DbsLevel, DbsStatus};
use entity::prison_vetting::VettingStatus;
use entity::user::{self, Role};
use entity::volunteer::{self, FacilitationLevel};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use super::places::Places;
use super::{Demo, Login};
use crate::auth::service::{self, NewAccount};
use crate::auth::{Email, password};
use crate::checks::input::{NewDbsCheck, NewVetting};
use crate::checks::service::{record_dbs, record_vetting};
use crate::commitment::service::{pause, record_left};
use crate::domain::DbsCertificateNumber;
use crate::establishments::service::WindowSpec;
use crate::scheduling::availability::{self, Availability, UnavailabilityInput};
use crate::supervision::service::{self as supervision, MeetingInput, SupervisionInput};
use crate::training::service::{CourseInput, MarkInput, RegisterInput, SessionInput};
use crate::training::service::{add_session, create_course, enrol, record_attendance};
use crate::web::identity::AuthUser;

/// The demo's own address space: nothing here is anyone's real address.
const DOMAIN: &str = "demo.convene.test";

pub struct Staff {
    pub coordinator: AuthUser,
}

/// A volunteer: their account and their volunteer record.
#[derive(Clone, Debug)]
pub struct Member {
    pub user: AuthUser,
    pub id: i64,
}

/// The volunteers the cases and claims are built around.
pub struct Team {
    /// The demo volunteer's sign-in (Val, a lead).
    pub login: Login,
    pub val: Member,
    pub priya: Member,
    pub tom: Member,
    pub sian: Member,
    pub marcus: Member,
    pub aisha: Member,
}

async fn account(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    role: Role,
    with_password: bool,
) -> anyhow::Result<(user::Model, Option<String>)> {
    let password = with_password.then(password::generate);
    let parsed = Email::parse(email).map_err(anyhow::Error::msg)?;
    let created =
        service::create_account(db, NewAccount { email: parsed, name: name.into(), role, password: password.clone() })
            .await
            .with_context(|| format!("creating the demo account of {name}"))?;
    Ok((created, password))
}

fn login(role: Role, account: &user::Model, password: Option<String>) -> Login {
    Login { role, email: account.email.clone(), password: password.unwrap_or_default() }
}

pub async fn staff(db: &DatabaseConnection) -> anyhow::Result<(Staff, Vec<Login>)> {
    let (admin, admin_password) = account(db, &format!("admin@{DOMAIN}"), "Alex Admin", Role::Admin, true).await?;
    let (coordinator, coordinator_password) =
        account(db, &format!("coordinator@{DOMAIN}"), "Chris Coordinator", Role::Coordinator, true).await?;
    account(db, &format!("nia.roberts@{DOMAIN}"), "Nia Roberts", Role::Coordinator, false).await?;
    let logins =
        vec![login(Role::Admin, &admin, admin_password), login(Role::Coordinator, &coordinator, coordinator_password)];
    Ok((Staff { coordinator: coordinator.into() }, logins))
}

async fn volunteer(
    demo: &Demo<'_>,
    name: &str,
    email: &str,
    with_password: bool,
) -> anyhow::Result<(Member, Option<String>)> {
    let (created, password) = account(demo.db, email, name, Role::Volunteer, with_password).await?;
    let record = crate::volunteers::service::for_user(demo.db, created.id)
        .await?
        .with_context(|| format!("the volunteer record of {name}"))?;
    Ok((Member { user: created.into(), id: record.id }, password))
}

fn email(name: &str) -> String {
    let local: String = name
        .to_lowercase()
        .replace(' ', ".")
        .chars()
        .map(|c| match c {
            'â' => 'a',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    format!("{local}@{DOMAIN}")
}

/// A three-day core course with its dates `offsets` days from today, 09:30–16:30.
async fn core_course(demo: &Demo<'_>, offsets: [i64; 3]) -> anyhow::Result<(i64, Vec<i64>)> {
    let first = demo.day(offsets[0]);
    let course = create_course(
        demo.db,
        &CourseInput { name: format!("Core training, {}", first.format("%B %Y")), kind: "core".into() },
    )
    .await
    .context("a core training course")?;
    let mut sessions = Vec::new();
    for (number, offset) in (1..).zip(offsets) {
        let input = SessionInput {
            number: number.to_string(),
            date: demo.day(offset).to_string(),
            starts_at: "09:30".into(),
            ends_at: "16:30".into(),
            venue: "Kings Square Community Centre, Gloucester".into(),
        };
        sessions.push(add_session(demo.db, course.id, &input).await.context("a core training session")?.id);
    }
    Ok((course.id, sessions))
}

async fn register(demo: &Demo<'_>, session_id: i64, marks: &[(&Member, Mark)]) -> anyhow::Result<()> {
    let marks = marks.iter().map(|(who, mark)| MarkInput { volunteer_id: who.id, mark: mark.code() }).collect();
    record_attendance(demo.db, demo.coordinator.id, session_id, &RegisterInput { marks })
        .await
        .context("a training register")
}

fn certificate(serial: u32) -> anyhow::Result<DbsCertificateNumber> {
    DbsCertificateNumber::parse(&format!("0019{:08}", 31_4159 + serial)).map_err(anyhow::Error::msg)
}

/// A clear enhanced DBS check issued on `issued_on`.
async fn clear_dbs(
    demo: &Demo<'_>,
    who: &Member,
    issued_on: NaiveDate,
    update_service: bool,
    serial: u32,
) -> anyhow::Result<()> {
    let check = NewDbsCheck {
        level: DbsLevel::EnhancedBarred,
        certificate_number: Some(certificate(serial)?),
        issued_on: Some(issued_on),
        update_service,
        status: DbsStatus::Clear,
        notes: None,
    };
    record_dbs(demo.db, who.id, check).await.with_context(|| format!("the DBS check of {}", who.user.name))?;
    Ok(())
}

async fn dbs_pending(demo: &Demo<'_>, who: &Member, status: DbsStatus, notes: &str) -> anyhow::Result<()> {
    let check = NewDbsCheck {
        level: DbsLevel::EnhancedBarred,
        certificate_number: None,
        issued_on: None,
        update_service: false,
        status,
        notes: Some(notes.into()),
    };
    record_dbs(demo.db, who.id, check).await.with_context(|| format!("the DBS check of {}", who.user.name))?;
    Ok(())
}

async fn vet(demo: &Demo<'_>, who: &Member, establishment_id: i64, cleared: bool) -> anyhow::Result<()> {
    let vetting = NewVetting {
        establishment_id,
        level: "enhanced".into(),
        status: if cleared { VettingStatus::Cleared } else { VettingStatus::Requested },
        cleared_on: cleared.then(|| demo.day(-200)),
        expires_on: cleared.then(|| demo.day(530)),
        notes: None,
    };
    record_vetting(demo.db, who.id, vetting).await.with_context(|| format!("the vetting of {}", who.user.name))?;
    Ok(())
}

fn windows(days: &[&str], start: &str, end: &str) -> WindowSpec {
    WindowSpec { days: days.iter().map(|d| (*d).to_owned()).collect(), start: start.into(), end: end.into() }
}

async fn available(demo: &Demo<'_>, who: &Member, pattern: Vec<WindowSpec>, per_month: i32) -> anyhow::Result<()> {
    let record = availability::managed(demo.db, &demo.coordinator, who.id).await?;
    availability::set(demo.db, &record, &Availability { windows: pattern, max_conferences_per_month: per_month })
        .await
        .with_context(|| format!("the availability of {}", who.user.name))?;
    Ok(())
}

async fn supervised(demo: &Demo<'_>, who: &Member, offsets: &[i64]) -> anyhow::Result<()> {
    for offset in offsets {
        let input = SupervisionInput {
            held_on: demo.day(*offset).to_string(),
            notes: "One-to-one: reflected on recent preparation visits and self-care; no concerns.".into(),
        };
        supervision::add(demo.db, &demo.coordinator, who.id, &input, demo.today)
            .await
            .with_context(|| format!("a supervision of {}", who.user.name))?;
    }
    Ok(())
}

/// Founding leads joined the service already experienced, so there is no history of
/// co-facilitated conferences to sign them off from: their level is written directly.
async fn founding_lead(demo: &Demo<'_>, who: &Member) -> anyhow::Result<()> {
    volunteer::ActiveModel {
        id: Set(who.id),
        level: Set(FacilitationLevel::Lead),
        lead_signed_off_at: Set(Some(crate::clock::now())),
        lead_signed_off_by: Set(Some(demo.coordinator.id)),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .update(demo.db)
    .await?;
    Ok(())
}

pub async fn volunteers(demo: &Demo<'_>, places: &Places) -> anyhow::Result<Team> {
    let (val, val_password) = volunteer(demo, "Val Okafor", &format!("volunteer@{DOMAIN}"), true).await?;
    let mut trained = vec![val.clone()];
    for name in
        ["Priya Shah", "Tom Hughes", "Siân Llewellyn", "Marcus Reid", "Aisha Begum", "Gareth Price", "Helen Carter"]
    {
        trained.push(volunteer(demo, name, &email(name), false).await?.0);
    }
    let owen = volunteer(demo, "Owen Davies", &email("Owen Davies"), false).await?.0;
    trained.push(owen.clone());
    let [_, priya, tom, sian, marcus, aisha, gareth, helen, _] =
        <[Member; 9]>::try_from(trained.clone()).map_err(|_| anyhow::anyhow!("nine trained volunteers"))?;

    // Core training eight months ago: everyone above attended every date.
    let (course, sessions) = core_course(demo, [-245, -238, -231]).await?;
    for who in &trained {
        enrol(demo.db, course, who.id).await?;
    }
    let present: Vec<(&Member, Mark)> = trained.iter().map(|who| (who, Mark::Present)).collect();
    for session in &sessions {
        register(demo, *session, &present).await?;
    }

    // DBS: renewal every three years (the default setting) unless on the Update Service.
    let renewal_in_45_days = demo.day(45).checked_sub_months(Months::new(36)).context("a date")?;
    let lapsed_10_days_ago = demo.day(-10).checked_sub_months(Months::new(36)).context("a date")?;
    clear_dbs(demo, &val, demo.day(-300), false, 1).await?;
    clear_dbs(demo, &priya, demo.day(-1100), true, 2).await?;
    clear_dbs(demo, &tom, renewal_in_45_days, false, 3).await?;
    clear_dbs(demo, &sian, demo.day(-290), false, 4).await?;
    clear_dbs(demo, &marcus, demo.day(-310), false, 5).await?;
    clear_dbs(demo, &aisha, demo.day(-280), true, 6).await?;
    clear_dbs(demo, &gareth, demo.day(-320), false, 7).await?;
    clear_dbs(demo, &helen, demo.day(-330), false, 8).await?;
    clear_dbs(demo, &owen, lapsed_10_days_ago, false, 9).await?;
    dbs_pending(demo, &owen, DbsStatus::Requested, "Renewal requested; Owen is not facilitating until it is back.")
        .await?;

    for lead in [&val, &priya, &tom] {
        founding_lead(demo, lead).await?;
    }
    for who in [&val, &priya, &tom, &sian] {
        vet(demo, who, places.gloucester, true).await?;
        vet(demo, who, places.cardiff, true).await?;
    }
    for who in [&marcus, &aisha, &gareth] {
        vet(demo, who, places.gloucester, true).await?;
    }
    vet(demo, &aisha, places.cardiff, false).await?;

    let weekdays = ["mon", "tue", "wed", "thu", "fri"];
    available(demo, &val, vec![windows(&weekdays, "08:00", "17:30")], 4).await?;
    available(demo, &priya, vec![windows(&["mon", "tue", "wed"], "08:00", "17:00")], 3).await?;
    available(demo, &tom, vec![windows(&["tue", "wed", "thu", "fri"], "08:00", "13:00")], 4).await?;
    available(demo, &sian, vec![windows(&weekdays, "08:00", "17:00"), windows(&["sun"], "13:00", "17:00")], 4).await?;
    available(demo, &marcus, vec![windows(&["mon", "wed", "fri"], "08:00", "17:00")], 4).await?;
    available(
        demo,
        &aisha,
        vec![windows(&["mon", "tue", "wed", "thu"], "08:00", "17:00"), windows(&["sat"], "09:00", "12:00")],
        4,
    )
    .await?;
    available(demo, &gareth, vec![windows(&weekdays, "13:00", "17:00")], 2).await?;
    let record = availability::managed(demo.db, &demo.coordinator, priya.id).await?;
    let holiday = UnavailabilityInput {
        from: format!("{}T00:00", demo.day(14)),
        to: format!("{}T00:00", demo.day(22)),
        reason: "Holiday".into(),
    };
    availability::add_unavailable(demo.db, &record, &holiday).await.context("an unavailability")?;

    // One-to-ones every twelve weeks; Siân's last one was sixteen weeks ago.
    supervised(demo, &val, &[-120, -30]).await?;
    supervised(demo, &priya, &[-130, -45]).await?;
    supervised(demo, &tom, &[-100, -20]).await?;
    supervised(demo, &sian, &[-200, -112]).await?;
    supervised(demo, &marcus, &[-140, -50]).await?;
    supervised(demo, &aisha, &[-150, -60]).await?;
    supervised(demo, &owen, &[-40]).await?;
    supervised(demo, &gareth, &[-70]).await?;
    meetings(demo, &[&val, &priya, &sian, &marcus, &owen]).await?;

    pause(demo.db, &demo.coordinator, gareth.id, demo.day(-14)).await.context("pausing a volunteer")?;
    record_left(demo.db, &demo.coordinator, helen.id, demo.day(-40), "Moved away from the area for work.")
        .await
        .context("recording a volunteer who left")?;

    // The current core training run: its first date was last week.
    let jess = volunteer(demo, "Jess Morgan", &email("Jess Morgan"), false).await?.0;
    let imran = volunteer(demo, "Imran Ali", &email("Imran Ali"), false).await?.0;
    let (course, sessions) = core_course(demo, [-7, 7, 14]).await?;
    for who in [&jess, &imran] {
        enrol(demo.db, course, who.id).await?;
    }
    let first = sessions.first().copied().context("the first session")?;
    register(demo, first, &[(&jess, Mark::Present), (&imran, Mark::Excused)]).await?;
    dbs_pending(demo, &jess, DbsStatus::InProgress, "Submitted after the first training day.").await?;

    let login =
        Login { role: Role::Volunteer, email: val.user.email.clone(), password: val_password.unwrap_or_default() };
    Ok(Team { login, val, priya, tom, sian, marcus, aisha })
}

/// A group meeting three weeks ago (these volunteers came) and one next month.
async fn meetings(demo: &Demo<'_>, came: &[&Member]) -> anyhow::Result<()> {
    let past = supervision::create_meeting(
        demo.db,
        &MeetingInput {
            held_on: demo.day(-21).to_string(),
            starts_at: "18:00".into(),
            ends_at: "20:00".into(),
            topic: "Group supervision: preparing people harmed for a prison visit".into(),
            case_discussion: "Discussed how to pace preparation when a harmed person is unsure; shared checklists for \
                              the prison's visitor procedures."
                .into(),
        },
    )
    .await
    .context("a volunteer meeting")?;
    let ids: Vec<i64> = came.iter().map(|who| who.id).collect();
    supervision::set_meeting_attendance(demo.db, past.id, &ids).await.context("a meeting's attendance")?;
    supervision::create_meeting(
        demo.db,
        &MeetingInput {
            held_on: demo.day(24).to_string(),
            starts_at: "18:00".into(),
            ends_at: "20:00".into(),
            topic: "Volunteer meeting: trauma-informed practice".into(),
            case_discussion: String::new(),
        },
    )
    .await
    .context("a volunteer meeting")?;
    Ok(())
}
