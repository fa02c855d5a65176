//! A weekly windows editor for plain HTML forms: per weekday a few start/end time pairs named
//! `mon_1_start`, `mon_1_end`, … (UK wall-clock). Used for prison regimes and volunteers'
//! availability; the rules stay in `establishments::parse_windows`.

use std::collections::{BTreeMap, HashMap};

use maud::{Markup, html};

use super::service::{DAYS, WindowSpec};
use crate::web::components::FieldErrors;

/// Empty pairs shown per day at least (one more than a day already has, up to this).
const SLOTS: usize = 3;
/// The most pairs read per day from a form.
const MAX_SLOTS: usize = 12;

const DAY_NAMES: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// The raw values of the editor's fields, as sent or as stored.
#[derive(Clone, Debug, Default)]
pub struct WeekForm {
    values: HashMap<String, String>,
}

fn key(day: &str, n: usize, half: &str) -> String {
    format!("{day}_{n}_{half}")
}

impl WeekForm {
    /// The editor's fields out of a whole submitted form (other fields are ignored).
    pub fn from_form(form: &HashMap<String, String>) -> Self {
        let values = form
            .iter()
            .filter(|(k, _)| DAYS.iter().any(|d| k.starts_with(&format!("{d}_"))))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Self { values }
    }

    /// The stored windows, each day's in start order.
    pub fn from_specs(specs: &[WindowSpec]) -> Self {
        let mut per_day: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
        for spec in specs {
            for day in &spec.days {
                if let Some(i) = DAYS.iter().position(|d| d == day) {
                    per_day.entry(i).or_default().push((spec.start.clone(), spec.end.clone()));
                }
            }
        }
        let mut values = HashMap::new();
        for (i, mut windows) in per_day {
            windows.sort();
            for (n, (start, end)) in windows.into_iter().enumerate() {
                values.insert(key(DAYS[i], n + 1, "start"), start);
                values.insert(key(DAYS[i], n + 1, "end"), end);
            }
        }
        Self { values }
    }

    fn value(&self, day: &str, n: usize, half: &str) -> &str {
        self.values.get(&key(day, n, half)).map_or("", |v| v.trim())
    }

    fn filled(&self, day: &str) -> usize {
        (1..=MAX_SLOTS)
            .rev()
            .find(|n| !self.value(day, *n, "start").is_empty() || !self.value(day, *n, "end").is_empty())
            .unwrap_or(0)
    }

    /// One spec per filled pair, and the field each spec's message belongs to; a pair with
    /// only one half filled is a message of its own.
    pub fn specs(&self) -> (Vec<WindowSpec>, Vec<String>, FieldErrors) {
        let (mut specs, mut fields, mut errors) = (Vec::new(), Vec::new(), FieldErrors::new());
        for day in DAYS {
            for n in 1..=MAX_SLOTS {
                let (start, end) = (self.value(day, n, "start"), self.value(day, n, "end"));
                match (start.is_empty(), end.is_empty()) {
                    (true, true) => {}
                    (false, false) => {
                        specs.push(WindowSpec {
                            days: vec![day.to_owned()],
                            start: start.to_owned(),
                            end: end.to_owned(),
                        });
                        fields.push(key(day, n, "start"));
                    }
                    _ => {
                        errors.insert(key(day, n, "start"), "Give both a start and an end, or neither.".into());
                    }
                }
            }
        }
        (specs, fields, errors)
    }

    /// Puts `parse_windows`' messages (`windows[i]`, `windows`) on the editor's fields.
    pub fn place_errors(fields: &[String], errors: BTreeMap<String, String>) -> FieldErrors {
        errors
            .into_iter()
            .map(|(k, message)| {
                let field = k
                    .strip_prefix("windows[")
                    .and_then(|rest| rest.strip_suffix(']'))
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| fields.get(i).cloned())
                    .unwrap_or(k);
                (field, message)
            })
            .collect()
    }

    /// The editor: a fieldset with one row per weekday.
    pub fn render(&self, legend: &str, errors: &FieldErrors) -> Markup {
        html! {
            fieldset id="windows" class={ "field" @if errors.contains_key("windows") { " field-invalid" } } {
                legend { (legend) }
                p class="hint" { "UK time (24-hour clock). Leave a pair blank for no window; touching windows are fine, overlapping ones are not." }
                @if let Some(message) = errors.get("windows") { p class="field-error" { span class="visually-hidden" { "Error: " } (message) } }
                div class="table-wrap" role="region" aria-label="Weekly windows" tabindex="0" { table {
                    tbody {
                        @for (i, day) in DAYS.iter().enumerate() {
                            @let slots = (self.filled(day) + 1).clamp(SLOTS, MAX_SLOTS);
                            tr {
                                th scope="row" { (DAY_NAMES[i]) }
                                @for n in 1..=slots {
                                    @let start = key(day, n, "start");
                                    @let end = key(day, n, "end");
                                    td class={ @if errors.contains_key(&start) { "field-invalid" } } {
                                        @if let Some(message) = errors.get(&start) { p class="field-error" id={ (start) "-error" } { span class="visually-hidden" { "Error: " } (message) } }
                                        label for=(start) class="visually-hidden" { (DAY_NAMES[i]) " window " (n) " from" }
                                        input type="time" id=(start) name=(start) value=(self.value(day, n, "start")) aria-invalid=[errors.get(&start).map(|_| "true")];
                                        " to "
                                        label for=(end) class="visually-hidden" { (DAY_NAMES[i]) " window " (n) " until" }
                                        input type="time" id=(end) name=(end) value=(self.value(day, n, "end"));
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_windows_round_trip_and_half_pairs_are_refused() {
        let specs = vec![
            WindowSpec { days: vec!["mon".into(), "tue".into()], start: "09:00".into(), end: "11:30".into() },
            WindowSpec { days: vec!["mon".into()], start: "14:00".into(), end: "16:30".into() },
        ];
        let form = WeekForm::from_specs(&specs);
        assert_eq!(form.value("mon", 2, "start"), "14:00");
        let (back, fields, errors) = form.specs();
        assert!(errors.is_empty());
        assert_eq!(back.len(), 3);
        assert_eq!(fields[0], "mon_1_start");
        let half = WeekForm::from_form(&HashMap::from([("wed_2_end".to_owned(), "10:00".to_owned())]));
        assert!(half.specs().2.contains_key("wed_2_start"));
        let placed = WeekForm::place_errors(&fields, BTreeMap::from([("windows[1]".to_owned(), "bad".to_owned())]));
        assert_eq!(placed.get("mon_2_start").map(String::as_str), Some("bad"));
    }
}
