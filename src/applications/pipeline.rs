//! The selection pipeline as a state machine: which decision may be taken from which
//! status. The service applies a transition only with a conditional update on the status
//! it was decided from, so a stale decision changes nothing (409).

use entity::application::ApplicationStatus as S;
use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Shortlist,
    Interview,
    /// Offers a place, or waitlists when every place is taken.
    Offer,
    Waitlist,
    Reject,
    Accept,
    Withdraw,
}

impl Decision {
    pub const ALL: [Decision; 7] = [
        Decision::Shortlist,
        Decision::Interview,
        Decision::Offer,
        Decision::Waitlist,
        Decision::Reject,
        Decision::Accept,
        Decision::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Shortlist => "shortlist",
            Decision::Interview => "interview",
            Decision::Offer => "offer",
            Decision::Waitlist => "waitlist",
            Decision::Reject => "reject",
            Decision::Accept => "accept",
            Decision::Withdraw => "withdraw",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// A button label for coordinators.
    pub fn label(self) -> &'static str {
        match self {
            Decision::Shortlist => "Shortlist",
            Decision::Interview => "Invite to interview",
            Decision::Offer => "Offer a place",
            Decision::Waitlist => "Put on the waiting list",
            Decision::Reject => "Reject",
            Decision::Accept => "Record acceptance",
            Decision::Withdraw => "Record withdrawal",
        }
    }

    /// The statuses this decision can be taken from.
    pub fn allowed_from(self) -> &'static [S] {
        match self {
            Decision::Shortlist => &[S::Submitted],
            Decision::Interview => &[S::Shortlisted],
            Decision::Offer => &[S::Interview, S::Waitlisted],
            Decision::Waitlist => &[S::Interview],
            Decision::Reject => &[S::Submitted, S::Shortlisted, S::Interview, S::Waitlisted, S::Offered],
            Decision::Accept => &[S::Offered],
            Decision::Withdraw => &[S::Submitted, S::Shortlisted, S::Interview, S::Offered, S::Accepted, S::Waitlisted],
        }
    }

    pub fn allowed(self, from: S) -> bool {
        self.allowed_from().contains(&from)
    }
}

/// The decisions open to a coordinator on an application in `status`.
pub fn open_decisions(status: S) -> Vec<Decision> {
    Decision::ALL.into_iter().filter(|d| d.allowed(status)).collect()
}

/// Where the applicant stands, in their words.
pub fn describe(status: S) -> &'static str {
    match status {
        S::Submitted => "We have received your application and will review it soon.",
        S::Shortlisted => "You have been shortlisted. We will contact you about an interview.",
        S::Interview => "We have invited you to an interview.",
        S::Offered => "We have offered you a place.",
        S::Accepted => "You have a place. Check your email for how to set up your account.",
        S::Waitlisted => "You are on our waiting list. We will contact you if a place becomes free.",
        S::Rejected => "We are not able to offer you a place this time.",
        S::Withdrawn => "This application has been withdrawn.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_statuses_admit_no_decision() {
        assert!(open_decisions(S::Rejected).is_empty());
        assert!(open_decisions(S::Withdrawn).is_empty());
    }

    #[test]
    fn the_happy_path_is_open_and_skipping_steps_is_not() {
        assert!(Decision::Shortlist.allowed(S::Submitted));
        assert!(Decision::Interview.allowed(S::Shortlisted));
        assert!(Decision::Offer.allowed(S::Interview));
        assert!(Decision::Accept.allowed(S::Offered));
        assert!(!Decision::Offer.allowed(S::Submitted));
        assert!(!Decision::Accept.allowed(S::Interview));
        assert!(!Decision::Interview.allowed(S::Submitted));
        assert!(Decision::Withdraw.allowed(S::Accepted));
        assert!(!Decision::Reject.allowed(S::Accepted));
    }

    #[test]
    fn every_decision_round_trips_its_name() {
        for decision in Decision::ALL {
            assert_eq!(Decision::parse(decision.as_str()), Some(decision));
        }
    }
}
