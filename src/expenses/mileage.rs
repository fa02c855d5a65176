//! The HMRC approved mileage rates, as a pure rule: no I/O, plain numbers in, pence out.
//!
//! Distances are integer **tenths of a mile** (volunteers' odometers and route planners
//! give one decimal place). An item is priced in tenths of a penny, exactly, and rounded to
//! the nearest penny (halves up) once, at the end, so whole miles are always exact.

use chrono::{Datelike, NaiveDate};
use entity::expense_item::Vehicle;

use crate::domain::Pence;

/// Tenths of a mile in the 10,000 business miles paid at the higher car/van rate.
pub const THRESHOLD_TENTHS: i64 = 10_000 * 10;
/// Pence per mile.
pub const CAR_VAN_FIRST: i64 = 45;
pub const CAR_VAN_AFTER: i64 = 25;
pub const PASSENGER: i64 = 5;
pub const MOTORCYCLE: i64 = 24;
pub const BICYCLE: i64 = 20;
pub const MAX_PASSENGERS: i32 = 9;

/// The UK tax year a date falls in, named by the calendar year it starts in: the tax year
/// 2026 runs from 6 April 2026 to 5 April 2027.
pub fn tax_year_of(date: NaiveDate) -> i32 {
    if (date.month(), date.day()) >= (4, 6) { date.year() } else { date.year() - 1 }
}

/// The first and last day of a tax year.
pub fn tax_year_bounds(tax_year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((NaiveDate::from_ymd_opt(tax_year, 4, 6)?, NaiveDate::from_ymd_opt(tax_year + 1, 4, 5)?))
}

/// One journey to price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Journey {
    pub vehicle: Vehicle,
    pub miles_tenths: i64,
    /// Only counted for a car or van.
    pub passengers: i32,
}

/// The price of `journey` when `approved_tenths` car/van miles (in tenths) have already been
/// paid in the same tax year. Negative inputs count as zero.
pub fn price(journey: Journey, approved_tenths: i64) -> Pence {
    let tenths = journey.miles_tenths.max(0);
    let tenth_pence = match journey.vehicle {
        Vehicle::CarVan => {
            let left_at_higher_rate = (THRESHOLD_TENTHS - approved_tenths.max(0)).max(0);
            let higher = tenths.min(left_at_higher_rate);
            let lower = tenths - higher;
            let passengers = i64::from(journey.passengers.clamp(0, MAX_PASSENGERS));
            higher * CAR_VAN_FIRST + lower * CAR_VAN_AFTER + passengers * PASSENGER * tenths
        }
        Vehicle::Motorcycle => tenths * MOTORCYCLE,
        Vehicle::Bicycle => tenths * BICYCLE,
    };
    Pence::new((tenth_pence + 5) / 10).unwrap_or(Pence::ZERO)
}

/// The car/van miles (tenths) this journey adds towards the threshold.
pub fn counted_tenths(journey: Journey) -> i64 {
    if journey.vehicle == Vehicle::CarVan { journey.miles_tenths.max(0) } else { 0 }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn car(miles_tenths: i64, passengers: i32) -> Journey {
        Journey { vehicle: Vehicle::CarVan, miles_tenths, passengers }
    }

    fn vehicle() -> impl Strategy<Value = Vehicle> {
        prop_oneof![Just(Vehicle::CarVan), Just(Vehicle::Motorcycle), Just(Vehicle::Bicycle)]
    }

    #[test]
    fn the_published_rates() {
        assert_eq!(price(car(10, 0), 0).get(), 45);
        assert_eq!(price(car(10, 0), THRESHOLD_TENTHS).get(), 25);
        assert_eq!(price(car(10, 2), 0).get(), 55);
        assert_eq!(price(Journey { vehicle: Vehicle::Motorcycle, miles_tenths: 10, passengers: 3 }, 0).get(), 24);
        assert_eq!(price(Journey { vehicle: Vehicle::Bicycle, miles_tenths: 10, passengers: 0 }, 0).get(), 20);
        // 12.5 miles at 45p is 562.5p: halves round up.
        assert_eq!(price(car(125, 0), 0).get(), 563);
        // 100 miles of which 40 are left at 45p: 40 × 45 + 60 × 25.
        assert_eq!(price(car(1000, 0), THRESHOLD_TENTHS - 400).get(), 40 * 45 + 60 * 25);
    }

    #[test]
    fn tax_year_turns_on_6_april() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(tax_year_of(d(2027, 4, 5)), 2026);
        assert_eq!(tax_year_of(d(2027, 4, 6)), 2027);
        assert_eq!(tax_year_of(d(2027, 1, 1)), 2026);
        assert_eq!(tax_year_of(d(2026, 12, 31)), 2026);
        assert_eq!(tax_year_bounds(2026), Some((d(2026, 4, 6), d(2027, 4, 5))));
    }

    proptest! {
        #[test]
        fn monotonic_in_miles(v in vehicle(), a in 0i64..300_000, b in 0i64..300_000, passengers in 0i32..=9, approved in 0i64..300_000) {
            let (short, long) = if a <= b { (a, b) } else { (b, a) };
            let j = |m| Journey { vehicle: v, miles_tenths: m, passengers };
            prop_assert!(price(j(short), approved) <= price(j(long), approved));
        }

        #[test]
        fn more_approved_miles_never_pays_more(m in 0i64..300_000, a in 0i64..300_000, b in 0i64..300_000) {
            let (fewer, more) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(price(car(m, 0), more) <= price(car(m, 0), fewer));
        }

        /// Whole miles: one journey across 10,000 costs what the part up to 10,000 and the
        /// part after cost separately, at 45p and 25p.
        #[test]
        fn splits_exactly_at_ten_thousand_miles(approved_miles in 0i64..20_000, miles in 0i64..20_000) {
            let approved = approved_miles * 10;
            let whole = price(car(miles * 10, 0), approved).get();
            let higher_miles = miles.min((10_000 - approved_miles).max(0));
            prop_assert_eq!(whole, higher_miles * 45 + (miles - higher_miles) * 25);
            let first = price(car(higher_miles * 10, 0), approved).get();
            let rest = price(car((miles - higher_miles) * 10, 0), approved + higher_miles * 10).get();
            prop_assert_eq!(whole, first + rest);
        }

        #[test]
        fn passengers_add_exactly_5p_per_passenger_mile(miles in 0i64..30_000, passengers in 0i32..=9, approved in 0i64..300_000) {
            let with = price(car(miles * 10, passengers), approved).get();
            let without = price(car(miles * 10, 0), approved).get();
            prop_assert_eq!(with - without, i64::from(passengers) * 5 * miles);
        }

        #[test]
        fn other_vehicles_ignore_the_threshold_and_passengers(miles in 0i64..30_000, passengers in 0i32..=9, approved in 0i64..300_000) {
            let motorcycle = Journey { vehicle: Vehicle::Motorcycle, miles_tenths: miles * 10, passengers };
            let bicycle = Journey { vehicle: Vehicle::Bicycle, miles_tenths: miles * 10, passengers };
            prop_assert_eq!(price(motorcycle, approved).get(), miles * 24);
            prop_assert_eq!(price(bicycle, approved).get(), miles * 20);
        }

        /// 5 April belongs to the tax year before; 6 April starts the next.
        #[test]
        fn tax_year_boundary(year in 1990i32..2200) {
            let fifth = NaiveDate::from_ymd_opt(year, 4, 5).unwrap();
            let sixth = NaiveDate::from_ymd_opt(year, 4, 6).unwrap();
            prop_assert_eq!(tax_year_of(fifth), year - 1);
            prop_assert_eq!(tax_year_of(sixth), year);
            let (start, end) = tax_year_bounds(year).unwrap();
            prop_assert_eq!(tax_year_of(start), year);
            prop_assert_eq!(tax_year_of(end), year);
            prop_assert_eq!(tax_year_of(end.succ_opt().unwrap()), year + 1);
        }

        #[test]
        fn every_day_is_in_the_tax_year_its_bounds_say(days in 0i64..100_000) {
            let date = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days);
            let (start, end) = tax_year_bounds(tax_year_of(date)).unwrap();
            prop_assert!(start <= date && date <= end);
        }
    }
}
