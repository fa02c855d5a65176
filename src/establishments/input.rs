//! An establishment as sent by the coordinators' form or the API, and its parsing.

use entity::Code;
use std::collections::BTreeMap;

use entity::establishment::EstablishmentKind;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::{lenient_string, yes};

pub type Errors = BTreeMap<String, String>;

/// An establishment as sent.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EstablishmentInput {
    pub name: String,
    /// prison, probation_office or community_venue
    pub kind: String,
    pub address: String,
    /// Degrees; optional.
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = Option<f64>)]
    pub latitude: String,
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = Option<f64>)]
    pub longitude: String,
    /// Conferences that can run at once, at least 1.
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = i32)]
    pub rooms: String,
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = bool)]
    pub requires_vetting: String,
}

pub const ESTABLISHMENT_KINDS: [(EstablishmentKind, &str); 3] = [
    (EstablishmentKind::Prison, "Prison"),
    (EstablishmentKind::ProbationOffice, "Probation office"),
    (EstablishmentKind::CommunityVenue, "Community venue"),
];

#[derive(Clone, Debug)]
pub struct NewEstablishment {
    pub name: String,
    pub kind: EstablishmentKind,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub rooms: i32,
    pub requires_vetting: bool,
}

fn coordinate(raw: &str, limit: f64, field: &str, words: &str, errors: &mut Errors) -> Option<f64> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    match trimmed.parse::<f64>() {
        Ok(value) if value.is_finite() && value.abs() <= limit => Some(value),
        _ => {
            errors.insert(
                field.into(),
                format!("Enter the {words} in degrees, from -{limit} to {limit}, or leave it empty."),
            );
            None
        }
    }
}

impl EstablishmentInput {
    pub fn parse(&self) -> Result<NewEstablishment, Errors> {
        let mut errors = Errors::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.insert("name".into(), "Enter a name of at most 200 characters, like “HMP Gloucester”.".into());
        }
        let kind = ESTABLISHMENT_KINDS.iter().map(|(k, _)| *k).find(|k| k.code() == self.kind.trim());
        if kind.is_none() {
            errors.insert("kind".into(), "Choose a prison, a probation office or a community venue.".into());
        }
        let address = self.address.trim();
        if address.is_empty() || address.chars().count() > 1000 {
            errors.insert("address".into(), "Enter the address.".into());
        }
        let latitude = coordinate(&self.latitude, 90.0, "latitude", "latitude", &mut errors);
        let longitude = coordinate(&self.longitude, 180.0, "longitude", "longitude", &mut errors);
        if latitude.is_some() != longitude.is_some()
            && !errors.contains_key("latitude")
            && !errors.contains_key("longitude")
        {
            errors.insert("longitude".into(), "Enter both latitude and longitude, or neither.".into());
        }
        let rooms = self.rooms.trim().parse::<i32>().ok().filter(|r| (1..=100).contains(r));
        if rooms.is_none() {
            errors
                .insert("rooms".into(), "Enter the number of rooms conferences can use at once, from 1 to 100.".into());
        }
        match (kind, rooms) {
            (Some(kind), Some(rooms)) if errors.is_empty() => Ok(NewEstablishment {
                name: name.to_owned(),
                kind,
                address: address.to_owned(),
                latitude,
                longitude,
                rooms,
                requires_vetting: yes(&self.requires_vetting),
            }),
            _ => Err(errors),
        }
    }
}
