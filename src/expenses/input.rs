//! What a volunteer sends for a claim and its items, and its parsing into domain values
//! with one message per field. The HTML forms and the JSON API share it.

use entity::Code;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::expense_item::{ExpenseKind, Vehicle};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::mileage::{Journey, MAX_PASSENGERS};
use crate::domain::{Pence, lenient_string};

pub type Errors = BTreeMap<String, String>;

/// The longest single journey accepted, in tenths of a mile.
pub const MAX_JOURNEY_TENTHS: i64 = 2_000 * 10;

/// One item as sent. Text fields so a bad value is a message, not an unreadable body.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct ItemInput {
    /// mileage, public_transport, parking, subsistence or other
    pub kind: String,
    /// YYYY-MM-DD: the date of the journey or of the spending; not in the future.
    pub date: String,
    pub description: String,
    /// Not for mileage: the amount in whole pence (JSON clients)…
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = Option<i64>)]
    pub amount_pence: String,
    /// …or in pounds and pence, e.g. `12.50` (the HTML form).
    pub amount: String,
    /// Mileage only: miles with at most one decimal place, e.g. `12.5`.
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = String, example = "12.5")]
    pub miles: String,
    /// Mileage only: car_van, motorcycle or bicycle.
    pub vehicle: String,
    /// Mileage by car or van: passengers carried on business, 0 to 9.
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = Option<i32>)]
    pub passengers: String,
}

/// A new claim with its first items.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct ClaimInput {
    /// What the claim is for, e.g. "Core training, March". No names of the people in a case.
    pub purpose: String,
    pub items: Vec<ItemInput>,
}

/// A valid item, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewItem {
    Mileage { date: NaiveDate, description: String, journey: Journey },
    Spent { kind: ExpenseKind, date: NaiveDate, description: String, amount: Pence },
}

#[derive(Clone, Debug)]
pub struct NewClaim {
    pub purpose: String,
    pub items: Vec<NewItem>,
}

/// `12.5` → 125 tenths of a mile.
pub fn parse_miles(raw: &str) -> Result<i64, &'static str> {
    const MESSAGE: &str = "Enter the miles with at most one decimal place, for example 12.5.";
    let text = raw.trim();
    let (whole, tenth) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || whole.len() > 5 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MESSAGE);
    }
    if tenth.len() > 1 || !tenth.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MESSAGE);
    }
    let tenths = whole.parse::<i64>().map_err(|_| MESSAGE)? * 10 + tenth.parse::<i64>().unwrap_or(0);
    if tenths <= 0 {
        Err("The journey must be more than 0 miles.")
    } else if tenths > MAX_JOURNEY_TENTHS {
        Err("One journey can be at most 2,000 miles.")
    } else {
        Ok(tenths)
    }
}

/// 125 tenths → `12.5`.
pub fn miles_text(tenths: i64) -> String {
    if tenths % 10 == 0 { (tenths / 10).to_string() } else { format!("{}.{}", tenths / 10, tenths % 10) }
}

pub fn parse_purpose(raw: &str) -> Result<String, &'static str> {
    let purpose = raw.trim();
    if purpose.is_empty() {
        Err("Say what the claim is for, for example “Core training, March”.")
    } else if purpose.chars().count() > 200 {
        Err("Keep this to 200 characters or fewer.")
    } else {
        Ok(purpose.to_owned())
    }
}

impl ItemInput {
    /// Parses every field; messages are keyed by `prefix` + field name. `today` is the
    /// London date (nothing can be claimed in advance).
    pub fn parse(&self, today: NaiveDate, prefix: &str, errors: &mut Errors) -> Option<NewItem> {
        let mut fail = |field: &str, message: &str| {
            errors.insert(format!("{prefix}{field}"), message.to_owned());
        };
        let kind = ExpenseKind::from_code(self.kind.trim());
        if kind.is_none() {
            fail("kind", "Choose mileage, public transport, parking, subsistence or other.");
        }
        let date = match NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d") {
            Err(_) => {
                fail("date", "Enter the date, for example 2027-03-02.");
                None
            }
            Ok(date) if date > today => {
                fail("date", "The date cannot be in the future.");
                None
            }
            Ok(date) => Some(date),
        };
        let description = self.description.trim().to_owned();
        if description.chars().count() > 200 {
            fail("description", "Keep the description to 200 characters or fewer.");
        }
        match kind? {
            ExpenseKind::Mileage => {
                if description.is_empty() {
                    fail("description", "Say where the journey was from and to.");
                }
                let miles = parse_miles(&self.miles).map_err(|m| fail("miles", m)).ok();
                let vehicle = Vehicle::from_code(self.vehicle.trim());
                if vehicle.is_none() {
                    fail("vehicle", "Choose car or van, motorcycle or bicycle.");
                }
                let passengers = match self.passengers.trim() {
                    "" => Some(0),
                    raw => match raw.parse::<i32>() {
                        Ok(n) if (0..=MAX_PASSENGERS).contains(&n) => Some(n),
                        _ => {
                            fail("passengers", "Enter the number of passengers, from 0 to 9.");
                            None
                        }
                    },
                };
                if passengers.is_some_and(|n| n > 0) && vehicle.is_some_and(|v| v != Vehicle::CarVan) {
                    fail("passengers", "Passengers are paid only for a car or van.");
                    return None;
                }
                let journey = Journey { vehicle: vehicle?, miles_tenths: miles?, passengers: passengers? };
                if description.chars().count() > 200 {
                    return None;
                }
                Some(NewItem::Mileage { date: date?, description, journey })
            }
            kind => {
                if description.is_empty() {
                    fail("description", "Describe what you paid for.");
                }
                let amount = if self.amount_pence.trim().is_empty() {
                    Pence::parse_pounds(&self.amount).map_err(|m| fail("amount", m)).ok()
                } else {
                    Pence::parse_pence(&self.amount_pence).map_err(|m| fail("amount_pence", m)).ok()
                };
                if description.is_empty() || description.chars().count() > 200 {
                    return None;
                }
                Some(NewItem::Spent { kind, date: date?, description, amount: amount? })
            }
        }
    }
}

impl ClaimInput {
    pub fn parse(&self, today: NaiveDate) -> Result<NewClaim, Errors> {
        let mut errors = Errors::new();
        let purpose = parse_purpose(&self.purpose).map_err(|m| errors.insert("purpose".into(), m.into())).ok();
        if self.items.len() > 100 {
            errors.insert("items".into(), "A claim can have at most 100 items.".into());
        }
        let items: Vec<Option<NewItem>> = self
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| item.parse(today, &format!("items[{i}]."), &mut errors))
            .collect();
        match purpose {
            Some(purpose) if errors.is_empty() => {
                Ok(NewClaim { purpose, items: items.into_iter().flatten().collect() })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn miles_are_tenths() {
        assert_eq!(parse_miles("12.5"), Ok(125));
        assert_eq!(parse_miles("12"), Ok(120));
        assert!(parse_miles("12.55").is_err());
        assert!(parse_miles("0").is_err());
        assert!(parse_miles("-3").is_err());
        assert_eq!(miles_text(125), "12.5");
        assert_eq!(miles_text(120), "12");
    }

    #[test]
    fn an_item_reports_each_bad_field() {
        let today = NaiveDate::from_ymd_opt(2027, 3, 10).unwrap();
        let mut errors = Errors::new();
        let input =
            ItemInput { kind: "mileage".into(), date: "2027-03-11".into(), miles: "x".into(), ..Default::default() };
        assert!(input.parse(today, "", &mut errors).is_none());
        for field in ["date", "miles", "vehicle", "description"] {
            assert!(errors.contains_key(field), "{field} in {errors:?}");
        }
    }
}
