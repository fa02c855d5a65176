//! The demo's establishments: two prisons that need their own vetting and a probation office,
//! with weekly regimes (different at weekends) and closures with their reasons.

use anyhow::Context;
use entity::establishment::EstablishmentKind;

use super::Demo;
use crate::establishments::input::NewEstablishment;
use crate::establishments::service::create_establishment;
use crate::establishments::service::{ClosureInput, Regime, WindowSpec, insert_closure, set_regime};

pub struct Places {
    pub gloucester: i64,
    pub cardiff: i64,
    pub probation: i64,
}

const WEEKDAYS: [&str; 5] = ["mon", "tue", "wed", "thu", "fri"];

fn window(days: &[&str], start: &str, end: &str) -> WindowSpec {
    WindowSpec { days: days.iter().map(|d| (*d).to_owned()).collect(), start: start.into(), end: end.into() }
}

struct Place {
    name: &'static str,
    kind: EstablishmentKind,
    address: &'static str,
    location: (f64, f64),
    rooms: i32,
    requires_vetting: bool,
    windows: Vec<WindowSpec>,
    /// (first day, last day, reason), in days from today.
    closures: Vec<(i64, i64, &'static str)>,
}

async fn add(demo: &Demo<'_>, place: Place) -> anyhow::Result<i64> {
    let created = create_establishment(
        demo.db,
        NewEstablishment {
            name: place.name.into(),
            kind: place.kind,
            address: place.address.into(),
            latitude: Some(place.location.0),
            longitude: Some(place.location.1),
            rooms: place.rooms,
            requires_vetting: place.requires_vetting,
        },
    )
    .await?;
    set_regime(demo.db, created.id, &Regime { windows: place.windows })
        .await
        .with_context(|| format!("the regime of {}", place.name))?;
    for (from, to, reason) in place.closures {
        let input =
            ClosureInput { from: demo.day(from).to_string(), to: demo.day(to).to_string(), reason: reason.into() };
        insert_closure(demo.db, created.id, &input).await.with_context(|| format!("a closure of {}", place.name))?;
    }
    Ok(created.id)
}

pub async fn establishments(demo: &Demo<'_>) -> anyhow::Result<Places> {
    let gloucester = add(
        demo,
        Place {
            name: "HMP Gloucester Example",
            kind: EstablishmentKind::Prison,
            address: "1 Barrack Square, Gloucester GL1 2JN",
            location: (51.8650, -2.2500),
            rooms: 2,
            requires_vetting: true,
            windows: vec![
                window(&WEEKDAYS, "08:30", "11:30"),
                window(&WEEKDAYS, "13:45", "16:30"),
                window(&["sat"], "09:00", "11:30"),
            ],
            closures: vec![(17, 17, "Staff training day: the regime is closed")],
        },
    )
    .await?;
    let cardiff = add(
        demo,
        Place {
            name: "HMP Cardiff Example",
            kind: EstablishmentKind::Prison,
            address: "Knox Road, Cardiff CF24 0UG",
            location: (51.4820, -3.1660),
            rooms: 1,
            requires_vetting: true,
            windows: vec![
                window(&WEEKDAYS, "08:30", "11:30"),
                window(&["mon", "tue", "wed", "thu"], "13:45", "16:30"),
                window(&["sun"], "14:00", "16:00"),
            ],
            closures: vec![
                (-30, -28, "Lockdown after an incident on a wing"),
                (24, 25, "Regime restricted: whole-prison search"),
            ],
        },
    )
    .await?;
    let probation = add(
        demo,
        Place {
            name: "Gloucester Probation Office Example",
            kind: EstablishmentKind::ProbationOffice,
            address: "Twyver House, Bruton Way, Gloucester GL1 1PB",
            location: (51.8660, -2.2430),
            rooms: 3,
            requires_vetting: false,
            windows: vec![
                window(&WEEKDAYS, "09:00", "12:30"),
                window(&WEEKDAYS, "13:30", "17:00"),
                window(&["thu"], "17:30", "19:30"),
            ],
            closures: vec![(31, 31, "Office closed for a staff away day")],
        },
    )
    .await?;
    Ok(Places { gloucester, cardiff, probation })
}
