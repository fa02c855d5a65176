//! The demo's expense claims, one in each state: a draft, one waiting for a decision, one
//! approved, one rejected with its reason, and one paid.

use anyhow::Context;

use super::Demo;
use super::people::{Member, Team};
use crate::expenses::input::{ClaimInput, ItemInput};
use crate::expenses::service::{self, DecisionInput};

fn mileage(date: String, description: &str, miles: &str) -> ItemInput {
    ItemInput {
        kind: "mileage".into(),
        date,
        description: description.into(),
        miles: miles.into(),
        vehicle: "car_van".into(),
        ..Default::default()
    }
}

fn spent(kind: &str, date: String, description: &str, amount: &str) -> ItemInput {
    ItemInput { kind: kind.into(), date, description: description.into(), amount: amount.into(), ..Default::default() }
}

/// A claim by `who`, taken through `decisions` (submitted first when there are any).
async fn claim(
    demo: &Demo<'_>,
    who: &Member,
    purpose: &str,
    items: Vec<ItemInput>,
    decisions: &[(&str, &str)],
    submit: bool,
) -> anyhow::Result<()> {
    let new = ClaimInput { purpose: purpose.into(), items }
        .parse(demo.today)
        .map_err(|errors| anyhow::anyhow!("the demo claim “{purpose}” is invalid: {errors:?}"))?;
    let created = service::create(demo.db, &who.user, &new).await.context("an expense claim")?;
    if submit {
        service::submit(demo.db, &who.user, created.id).await.context("submitting a claim")?;
    }
    for (decision, reason) in decisions {
        let input = DecisionInput { decision: (*decision).into(), reason: (*reason).into() };
        service::decide(demo.db, demo.base_url, &demo.coordinator, created.id, &input)
            .await
            .with_context(|| format!("the decision {decision} on a claim"))?;
    }
    Ok(())
}

pub async fn claims(demo: &Demo<'_>, team: &Team) -> anyhow::Result<()> {
    let training = |offset: i64| mileage(demo.day(offset).to_string(), "Home to the training venue and back", "18.6");
    claim(
        demo,
        &team.val,
        "Core training",
        vec![training(-245), training(-238), training(-231)],
        &[("approve", ""), ("paid", "")],
        true,
    )
    .await?;
    claim(
        demo,
        &team.val,
        "Preparation visit, HMP Gloucester Example",
        vec![
            mileage(demo.day(-3).to_string(), "Home to HMP Gloucester Example and back", "23.4"),
            spent("parking", demo.day(-3).to_string(), "Visitors' car park", "4.50"),
        ],
        &[],
        true,
    )
    .await?;
    claim(
        demo,
        &team.val,
        "Volunteer meeting",
        vec![spent("public_transport", demo.day(-21).to_string(), "Bus return to the meeting", "4.80")],
        &[],
        false,
    )
    .await?;
    claim(
        demo,
        &team.sian,
        "Preparation visit, HMP Cardiff Example",
        vec![
            spent("public_transport", demo.day(-12).to_string(), "Train Newport to Cardiff, return", "9.40"),
            spent("subsistence", demo.day(-12).to_string(), "Lunch", "6.75"),
        ],
        &[("approve", "")],
        true,
    )
    .await?;
    claim(
        demo,
        &team.marcus,
        "Conference at HMP Gloucester Example",
        vec![spent("other", demo.day(-9).to_string(), "Flowers for the harmed person", "25.00")],
        &[("reject", "Gifts to the people in a case are not an out-of-pocket expense we can repay.")],
        true,
    )
    .await?;
    Ok(())
}
