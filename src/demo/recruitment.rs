//! The demo's open intake: the next core training run, and applications to it in every state
//! of the pipeline, decided by a coordinator through the same rules as the review queue.

use anyhow::Context;
use entity::application::ApplicationStatus;

use super::Demo;
use crate::applications::input::ApplicationInput;
use crate::applications::intakes::{self, IntakeInput};
use crate::applications::service::{self, DecisionInput};
use crate::training::service::{CourseInput, SessionInput, add_session, create_course};

struct Applicant {
    name: &'static str,
    born: &'static str,
    phone: &'static str,
    postcode: &'static str,
    motivation: &'static str,
    experience: &'static str,
    /// Where the coordinator takes the application.
    to: ApplicationStatus,
}

const APPLICANTS: [Applicant; 9] = [
    Applicant {
        name: "Rosa Fernandes",
        born: "1979-04-12",
        phone: "07700 900 101",
        postcode: "GL1 3AB",
        motivation: "I worked for twenty years as a hospital chaplain and saw how much it matters to be heard.",
        experience: "Chaplaincy, bereavement support, mediation training with the local council.",
        to: ApplicationStatus::Accepted,
    },
    Applicant {
        name: "Hannah Lewis",
        born: "1991-09-30",
        phone: "07700 900 102",
        postcode: "GL2 5QT",
        motivation: "As a youth worker I have seen young people change when they face what they have done.",
        experience: "Youth work; restorative practice in schools.",
        to: ApplicationStatus::Offered,
    },
    Applicant {
        name: "Kieran Walsh",
        born: "1986-01-17",
        phone: "07700 900 103",
        postcode: "GL4 6RE",
        motivation: "My family was burgled and a restorative conference helped my mother feel safe again.",
        experience: "Volunteer at Victim Support for three years.",
        to: ApplicationStatus::Waitlisted,
    },
    Applicant {
        name: "George Evans",
        born: "1968-11-02",
        phone: "07700 900 104",
        postcode: "GL50 1HX",
        motivation: "Retired police sergeant; I want to help repair harm rather than only process it.",
        experience: "Thirty years in neighbourhood policing.",
        to: ApplicationStatus::Interview,
    },
    Applicant {
        name: "Fatima Noor",
        born: "1995-06-21",
        phone: "07700 900 105",
        postcode: "GL1 1DP",
        motivation: "I study criminology and want to see how restorative justice works in practice.",
        experience: "Peer mentoring at university.",
        to: ApplicationStatus::Shortlisted,
    },
    Applicant {
        name: "Eleanor Wright",
        born: "1958-03-08",
        phone: "01632 960 106",
        postcode: "GL3 4HG",
        motivation: "As a magistrate I have wondered what more could be done for the people harmed.",
        experience: "Magistrate for twelve years.",
        to: ApplicationStatus::Submitted,
    },
    Applicant {
        name: "Daniel Kowalski",
        born: "1983-12-19",
        phone: "07700 900 107",
        postcode: "GL2 0LT",
        motivation: "I run a small business and want to give time to something that helps my community.",
        experience: "",
        to: ApplicationStatus::Submitted,
    },
    Applicant {
        name: "Liam Turner",
        born: "1999-07-04",
        phone: "07700 900 108",
        postcode: "GL1 4PW",
        motivation: "I would like to volunteer in prisons and this sounds interesting to me.",
        experience: "",
        to: ApplicationStatus::Rejected,
    },
    Applicant {
        name: "Megan Hall",
        born: "1975-02-25",
        phone: "07700 900 109",
        postcode: "GL5 2BN",
        motivation: "I trained as a counsellor and want to use those skills to support people after crime.",
        experience: "Counselling diploma; Samaritans listener.",
        to: ApplicationStatus::Withdrawn,
    },
];

fn email(name: &str) -> String {
    format!("{}@applicants.demo.convene.test", name.to_lowercase().replace(' ', "."))
}

fn input(intake_id: i64, who: &Applicant) -> ApplicationInput {
    ApplicationInput {
        intake_id: intake_id.to_string(),
        name: who.name.into(),
        email: email(who.name),
        phone: who.phone.into(),
        postcode: who.postcode.into(),
        date_of_birth: who.born.into(),
        motivation: who.motivation.into(),
        experience: who.experience.into(),
        available_weekdays: "yes".into(),
        available_evenings: "yes".into(),
        available_weekends: String::new(),
        can_attend_all_dates: "yes".into(),
        can_commit_year: "yes".into(),
        agrees_to_checks: "yes".into(),
        willing_to_use_it: "yes".into(),
        privacy_consent: "yes".into(),
        ..Default::default()
    }
}

async fn decide(demo: &Demo<'_>, id: i64, decision: &str, extra: DecisionInput) -> anyhow::Result<()> {
    let input = DecisionInput { decision: decision.into(), ..extra };
    service::decide(demo.db, demo.base_url, &demo.coordinator, id, &input)
        .await
        .with_context(|| format!("the decision {decision} on application {id}"))?;
    Ok(())
}

/// The decisions that take a submitted application to `to`, in order.
fn path_to(to: ApplicationStatus) -> &'static [&'static str] {
    use ApplicationStatus as S;
    match to {
        S::Submitted | S::Withdrawn => &[],
        S::Shortlisted => &["shortlist"],
        S::Interview => &["shortlist", "interview"],
        S::Offered | S::Waitlisted => &["shortlist", "interview", "offer"],
        S::Accepted => &["shortlist", "interview", "offer", "accept"],
        S::Rejected => &["reject"],
    }
}

pub async fn open_intake(demo: &Demo<'_>) -> anyhow::Result<()> {
    let first = demo.day(56);
    let course = create_course(
        demo.db,
        &CourseInput { name: format!("Core training, {}", first.format("%B %Y")), kind: "core".into() },
    )
    .await
    .context("the intake's course")?;
    for (number, offset) in [(1, 56), (2, 63), (3, 70)] {
        let session = SessionInput {
            number: format!("{number}"),
            date: demo.day(offset).to_string(),
            starts_at: "09:30".into(),
            ends_at: "16:30".into(),
            venue: "Kings Square Community Centre, Gloucester".into(),
        };
        add_session(demo.db, course.id, &session).await.context("an intake training date")?;
    }
    // Two places: one accepted, one offered, so the next offer goes to the waiting list.
    let intake = intakes::create(
        demo.db,
        &IntakeInput {
            name: format!("Volunteers starting {}", first.format("%B %Y")),
            places: "2".into(),
            course_id: course.id.to_string(),
            opens_on: demo.day(-21).to_string(),
            closes_on: demo.day(28).to_string(),
        },
    )
    .await
    .context("the open intake")?;
    for who in &APPLICANTS {
        let new = input(intake.id, who)
            .parse(demo.today)
            .map_err(|errors| anyhow::anyhow!("the demo application of {} is invalid: {errors:?}", who.name))?;
        let (stored, token) = service::submit(demo.db, demo.base_url, new, None)
            .await
            .with_context(|| format!("the application of {}", who.name))?;
        for decision in path_to(who.to) {
            let extra = match *decision {
                "interview" => DecisionInput {
                    interview_date: demo.day(if who.to == ApplicationStatus::Interview { 4 } else { -6 }).to_string(),
                    interview_time: "10:30".into(),
                    interview_place: "Convene office, 12 Brunswick Road, Gloucester".into(),
                    ..Default::default()
                },
                "reject" => DecisionInput {
                    reason: "Thank you for applying. This time we have offered places to applicants whose experience \
                             is closer to the role; we would welcome an application to a later intake."
                        .into(),
                    ..Default::default()
                },
                _ => DecisionInput::default(),
            };
            decide(demo, stored.id, decision, extra).await?;
        }
        if who.to == ApplicationStatus::Withdrawn {
            // The applicant withdrew through their private status link.
            service::withdraw_by_token(demo.db, demo.base_url, &token).await.context("a withdrawal")?;
        }
        if who.to == ApplicationStatus::Shortlisted {
            service::add_note(
                demo.db,
                &demo.coordinator,
                stored.id,
                "Strong written answers; ask about availability during exam periods at interview.",
            )
            .await
            .context("a note on an application")?;
        }
    }
    Ok(())
}
