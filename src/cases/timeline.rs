//! A case's history as a dated timeline, read from the audit trail: what was done to the
//! case and its conferences, by whom, in words. Reads of the case are left out (they are
//! audited, but they are not things that happened to it).

use chrono::{DateTime, Utc};
use entity::{audit_log, case, user};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::capitalised;

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub at: DateTime<Utc>,
    /// The account's name, or how the audit trail names whoever acted.
    pub who: String,
    pub what: String,
}

/// Reads, which the timeline leaves out.
const READS: [&str; 5] =
    ["case.viewed", "case.view_refused", "case.listed", "conference.viewed", "conference.view_refused"];

/// `detail` from a "status ready, deadline 2027-01-10" audit detail, in words.
fn update_words(detail: Option<&str>) -> String {
    let Some(detail) = detail.filter(|d| !d.is_empty()) else { return "Case details changed".into() };
    let parts: Vec<String> = detail
        .split(", ")
        .map(|part| match part.split_once(' ') {
            Some(("status", status)) => format!("moved to {}", status.replace('_', " ")),
            Some(("deadline", date)) => format!("deadline set to {date}"),
            Some(("reason", code)) => format!("reason: {}", code.replace('_', " ")),
            _ if part == "notes" => "notes changed".into(),
            _ => part.to_owned(),
        })
        .collect();
    capitalised(&parts.join(", "))
}

fn in_words(entry: &audit_log::Model) -> String {
    let detail = entry.detail.as_deref();
    match entry.action.as_str() {
        "case.created" => "Referral taken".into(),
        "case.updated" => update_words(detail),
        "case.allocated" => "Facilitators allocated".into(),
        "case.assessed" => match detail.and_then(|d| d.split_once(' ')) {
            Some((kind, outcome)) => {
                format!("{} assessment recorded: {}", capitalised(kind), outcome.replace('_', " "))
            }
            None => "Assessment recorded".into(),
        },
        "case.party_availability" => "A party's availability changed".into(),
        "case.party_updated" => "Party details changed".into(),
        "case.consent_given" => "Consent given".into(),
        "case.consent_withdrawn" => "Consent withdrawn".into(),
        "case.contact_recorded" => "Preparation contact logged".into(),
        "case.contact_mileage_claimed" => "Mileage claimed for a contact".into(),
        "conference.booked" => match detail.and_then(|d| d.split_once(" at ")).and_then(|(_, rest)| rest.get(..16)) {
            Some(start) => format!("Conference booked for {}", super::candidate_pages::wall_clock(start)),
            None => "Conference booked".into(),
        },
        "conference.accepted" => "Accepted the conference".into(),
        "conference.declined" => "Declined the conference".into(),
        "conference.rescheduled" => "Conference moved".into(),
        "conference.cancelled" => "Conference cancelled".into(),
        "conference.stopped" => "Conference cancelled by the service".into(),
        "conference.held" => "Conference held; outcome recorded".into(),
        "conference.not_held" => "Conference not held".into(),
        "outcome_action.completed" => "Agreed action completed".into(),
        "outcome_action.not_completed" => "Agreed action not completed".into(),
        other => other.replace(['.', '_'], " "),
    }
}

/// What happened to `found` and its conferences (`conference_ids`, as the caller has them),
/// oldest first, in one query.
pub async fn for_case(
    db: &impl ConnectionTrait,
    found: &case::Model,
    conference_ids: &[i64],
) -> Result<Vec<Event>, DbErr> {
    let conferences: Vec<String> = conference_ids.iter().map(ToString::to_string).collect();
    // Who acted, by name, joined in: the audit log keeps the account id, not a relation.
    let actor =
        audit_log::Entity::belongs_to(user::Entity).from(audit_log::Column::ActorUserId).to(user::Column::Id).into();
    let entries = audit_log::Entity::find()
        .select_also(user::Entity)
        .join(JoinType::LeftJoin, actor)
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(audit_log::Column::TargetType.eq("case"))
                        .add(audit_log::Column::TargetId.eq(found.reference.as_str())),
                )
                .add(
                    Condition::all()
                        .add(audit_log::Column::TargetType.eq("conference"))
                        .add(audit_log::Column::TargetId.is_in(conferences)),
                ),
        )
        .filter(audit_log::Column::Action.is_not_in(READS))
        .order_by_asc(audit_log::Column::OccurredAt)
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?;
    Ok(entries
        .iter()
        .map(|(entry, account)| Event {
            at: entry.occurred_at,
            who: account.as_ref().map_or_else(|| entry.actor.clone(), |a| a.name.clone()),
            what: in_words(entry),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::update_words;

    #[test]
    fn a_case_update_is_said_in_words() {
        assert_eq!(
            update_words(Some("status not_proceeding, reason declined")),
            "Moved to not proceeding, reason: declined"
        );
        assert_eq!(update_words(Some("deadline 2027-01-10, notes")), "Deadline set to 2027-01-10, notes changed");
        assert_eq!(update_words(None), "Case details changed");
    }
}
