//! The emails Convene sends: an HTML part (maud) and a plain-text part for each, with a
//! footer saying why the recipient got it. No confidential case details in any email.

use maud::{DOCTYPE, Markup, html};

#[derive(Clone, Debug)]
pub struct Message {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A link the email asks the reader to follow.
pub struct Action<'a> {
    pub label: &'a str,
    pub url: &'a str,
}

/// One line of a digest: a count, what it counts, and where to see them (behind login).
pub struct Item {
    pub label: String,
    pub count: usize,
    pub url: Option<String>,
    /// Links under the line, e.g. each case's reference (never anything more confidential).
    pub links: Vec<(String, String)>,
}

/// Builds both parts from the same paragraphs, so they never disagree.
fn compose(subject: String, greeting: &str, paragraphs: &[String], action: Option<Action<'_>>, why: &str) -> Message {
    compose_with_items(subject, greeting, paragraphs, &[], action, why)
}

/// [`compose`] with a list of counted items after the paragraphs.
fn compose_with_items(
    subject: String,
    greeting: &str,
    paragraphs: &[String],
    items: &[Item],
    action: Option<Action<'_>>,
    why: &str,
) -> Message {
    let mut text = format!("{greeting}\n\n");
    for paragraph in paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    for item in items {
        text.push_str(&format!("- {}: {}", item.label, item.count));
        if let Some(url) = &item.url {
            text.push_str(&format!(" ({url})"));
        }
        text.push('\n');
        for (label, url) in &item.links {
            text.push_str(&format!("    {label}: {url}\n"));
        }
    }
    if !items.is_empty() {
        text.push('\n');
    }
    if let Some(action) = &action {
        text.push_str(&format!("{}: {}\n\n", action.label, action.url));
    }
    text.push_str(&format!("-- \nConvene\n{why}\n"));
    let html: Markup = html! {
        (DOCTYPE)
        html lang="en-GB" {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family: Arial, sans-serif; line-height: 1.5; color: #0b0c0c;" {
                p { (greeting) }
                @for paragraph in paragraphs { p { (paragraph) } }
                @if !items.is_empty() {
                    ul {
                        @for item in items {
                            li {
                                @match &item.url {
                                    Some(url) => a href=(url) { (item.label) },
                                    None => (item.label),
                                }
                                ": " strong { (item.count) }
                                @if !item.links.is_empty() {
                                    ul { @for (label, url) in &item.links { li { a href=(url) { (label) } } } }
                                }
                            }
                        }
                    }
                }
                @if let Some(action) = &action { p { a href=(action.url) { (action.label) } } }
                hr;
                p style="color: #505a5f; font-size: 14px;" { "Convene — " (why) }
            }
        }
    };
    Message { subject, text, html: html.into_string() }
}

/// The status link is only in the first email (its token is stored hashed, so it cannot be
/// written again); later emails point back to it.
const STATUS_LINK_REMINDER: &str =
    "You can see where your application stands with the private link in the first email we sent you.";

const WHY_APPLICANT: &str = "You are getting this email because you applied to volunteer with us.";
const WHY_ACCOUNT: &str = "You are getting this email because an account was created for you.";
const WHY_ACCOUNT_RESET: &str = "You are getting this email because a password reset was asked for this address.";

pub fn application_received(name: &str, intake: &str, status_url: &str) -> Message {
    compose(
        "We have received your application".into(),
        &format!("Dear {name},"),
        &[
            format!("Thank you for applying to volunteer with us ({intake}). We will be in touch about the next steps."),
            "You can see where your application stands, or withdraw it, at any time from your private link. Keep it to yourself: anyone with the link can see your application's progress.".into(),
        ],
        Some(Action { label: "See your application", url: status_url }),
        WHY_APPLICANT,
    )
}

pub fn interview_invitation(name: &str, when: &str, place: &str) -> Message {
    compose(
        "An interview for your volunteer application".into(),
        &format!("Dear {name},"),
        &[
            format!("We would like to meet you: {when}, at {place}."),
            "If you cannot make it, please reply to this email and we will find another time.".into(),
            STATUS_LINK_REMINDER.into(),
        ],
        None,
        WHY_APPLICANT,
    )
}

pub fn offer(name: &str, intake: &str) -> Message {
    compose(
        "An offer of a volunteer place".into(),
        &format!("Dear {name},"),
        &[
            format!(
                "We are delighted to offer you a place on {intake}. A coordinator will confirm it with you, and then you will be invited to set up your account."
            ),
            STATUS_LINK_REMINDER.into(),
        ],
        None,
        WHY_APPLICANT,
    )
}

pub fn waitlisted(name: &str, intake: &str) -> Message {
    compose(
        "You are on our waiting list".into(),
        &format!("Dear {name},"),
        &[
            format!(
                "Thank you for your interest. All places on {intake} have been offered, so we have put you on the waiting list, in the order people were added. We will contact you if a place becomes free."
            ),
            STATUS_LINK_REMINDER.into(),
        ],
        None,
        WHY_APPLICANT,
    )
}

pub fn rejected(name: &str, reason: &str) -> Message {
    compose(
        "Your volunteer application".into(),
        &format!("Dear {name},"),
        &[
            "Thank you for the time you gave to your application. We are sorry that we are not able to offer you a place this time.".into(),
            reason.to_owned(),
            "We are grateful for your interest, and you are welcome to apply to a future intake.".into(),
        ],
        None,
        WHY_APPLICANT,
    )
}

pub fn password_invitation(name: &str, url: &str) -> Message {
    compose(
        "Set up your Convene account".into(),
        &format!("Dear {name},"),
        &[
            "Welcome! You have accepted a volunteer place. Set a password to sign in and see your training dates."
                .into(),
            "The link works once, for 14 days.".into(),
        ],
        Some(Action { label: "Set your password", url }),
        WHY_ACCOUNT,
    )
}

pub fn account_invitation(name: &str, role: &str, inviter: &str, url: &str) -> Message {
    compose(
        "Your Convene account".into(),
        &format!("Dear {name},"),
        &[
            format!("{inviter} has made you a Convene account, as {role}. Set a password to sign in."),
            "The link works once, for 14 days. If you were not expecting this, ignore this email.".into(),
        ],
        Some(Action { label: "Set your password", url }),
        WHY_ACCOUNT,
    )
}

pub fn password_reset(name: &str, url: &str) -> Message {
    compose(
        "Choose a new Convene password".into(),
        &format!("Dear {name},"),
        &[
            "Someone asked to reset the password of your Convene account. If it was you, choose a new one.".into(),
            "The link works once, for one hour. If you did not ask, ignore this email: your password stays as it is."
                .into(),
        ],
        Some(Action { label: "Choose a new password", url }),
        WHY_ACCOUNT_RESET,
    )
}

pub fn place_free(intake: &str, first_waiting: &str, queue_url: &str) -> Message {
    compose(
        format!("A place is free on {intake}"),
        "Hello,",
        &[format!("An offered or accepted applicant has withdrawn. The first on the waiting list is {first_waiting}.")],
        Some(Action { label: "Open the waiting list", url: queue_url }),
        "You are getting this email because you coordinate recruitment.",
    )
}

/// To a volunteer when a coordinator approves, rejects or pays their expense claim. Names
/// only the claim's reference and amount: a claim's purpose may mention a case.
pub fn expense_decided(
    name: &str,
    reference: &str,
    decision: &str,
    amount: &str,
    reason: Option<&str>,
    url: &str,
) -> Message {
    let mut paragraphs = vec![match decision {
        "approved" => format!("Your expense claim {reference} has been approved: {amount}. It will be paid soon."),
        "paid" => format!("Your expense claim {reference} has been paid: {amount}."),
        _ => format!("Your expense claim {reference} has not been approved."),
    }];
    if let Some(reason) = reason {
        paragraphs.push(format!("The reason given: {reason}"));
    }
    compose(
        format!("Your expense claim {reference} has been {decision}"),
        &format!("Dear {name},"),
        &paragraphs,
        Some(Action { label: "See your claim", url }),
        "You are getting this email because you claimed expenses as a volunteer.",
    )
}

/// A facilitator is asked to take part. Only the case reference and the place: never names
/// of parties or offence details.
pub fn asked_to_facilitate(name: &str, reference: &str, place: &str, when: &str, as_lead: bool, url: &str) -> Message {
    compose(
        format!("Please confirm: restorative conference ({reference})"),
        &format!("Dear {name},"),
        &[
            format!(
                "You are asked to facilitate a restorative conference ({reference}) at {place}, {when}, as {}.",
                if as_lead { "lead facilitator" } else { "co-facilitator" }
            ),
            "Please sign in to accept or decline.".into(),
        ],
        Some(Action { label: "Accept or decline", url }),
        "You are getting this email because you are a volunteer facilitator.",
    )
}

/// A facilitator is allocated to a case, or taken off it. Only the case reference and the
/// place: never names of parties or offence details.
pub fn allocation_changed(name: &str, reference: &str, place: &str, role: Option<&str>, url: &str) -> Message {
    match role {
        Some(role) => compose(
            format!("New case: {reference}"),
            &format!("Dear {name},"),
            &[
                format!("You have been allocated case {reference} at {place}, as {role}."),
                "Sign in to see it under My cases and plan the first contact with your co-worker.".into(),
            ],
            Some(Action { label: "Open the case", url }),
            "You are getting this email because you are a volunteer facilitator.",
        ),
        None => compose(
            format!("Case {reference} has been re-allocated"),
            &format!("Dear {name},"),
            &[
                format!(
                    "You are no longer allocated case {reference} at {place}; another facilitator will take it on."
                ),
                "Thank you for the work you did on it. Nothing more is needed from you.".into(),
            ],
            None,
            "You are getting this email because you are a volunteer facilitator.",
        ),
    }
}

/// A scheduled reminder; the footer says why the recipient gets it (`why`, e.g. "You are
/// getting this reminder because you volunteer with us.") and how to stop this kind.
pub fn reminder(
    name: &str,
    subject: String,
    paragraphs: &[String],
    action: Action<'_>,
    why: &str,
    preferences_url: &str,
) -> Message {
    compose(
        subject,
        &format!("Dear {name},"),
        paragraphs,
        Some(action),
        &format!("{why} Choose which reminders you get: {preferences_url}"),
    )
}

/// The coordinators' Monday digest: counts and links behind login, nothing confidential.
pub fn weekly_digest(name: &str, week_of: &str, items: &[Item], home_url: &str, preferences_url: &str) -> Message {
    compose_with_items(
        format!("Weekly digest: week of {week_of}"),
        &format!("Dear {name},"),
        &["Here is what is waiting for a coordinator this week. Sign in to see the details.".to_owned()],
        items,
        Some(Action { label: "Sign in to Convene", url: home_url }),
        &format!(
            "You are getting this digest because you are a coordinator. Choose which reminders you get: {preferences_url}"
        ),
    )
}

/// A booked conference was confirmed, moved or cancelled. Only the case reference and the
/// place: never names of parties or offence details.
/// `why` is the coded reason in words when the service stopped the booking itself (never a
/// name or anything said in the case).
pub fn booking_changed(
    name: &str,
    reference: &str,
    place: &str,
    when: &str,
    change: &str,
    why: Option<&str>,
    url: &str,
) -> Message {
    let (subject, paragraph) = match change {
        "confirmed" => (
            format!("Confirmed: restorative conference ({reference})"),
            format!(
                "Both facilitators have accepted: the restorative conference ({reference}) at {place}, {when}, is confirmed."
            ),
        ),
        "cancelled" => (
            format!("Cancelled: restorative conference ({reference})"),
            match why {
                Some(why) => {
                    format!("The restorative conference ({reference}) at {place}, {when}, is cancelled: {why}.")
                }
                None => format!("The restorative conference ({reference}) at {place}, {when}, is cancelled."),
            },
        ),
        _ => (
            format!("New time: restorative conference ({reference})"),
            format!("The restorative conference ({reference}) at {place} has moved to {when}."),
        ),
    };
    compose(
        subject,
        &format!("Dear {name},"),
        &[paragraph, "Please sign in for the details.".into()],
        Some(Action { label: "See the conference", url }),
        "You are getting this email because you are a volunteer facilitator.",
    )
}
