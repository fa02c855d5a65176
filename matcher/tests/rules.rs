//! Every hard rule at its boundary, the clock changes, and instance errors.

use convene_matcher::matcher::model::{format_local, local_to_instant, parse_local_datetime};
use convene_matcher::matcher::rules::{self, NewLoad, RuledOutBy};
use convene_matcher::matcher::{
    Booking, Instance, InstanceError, Plan, PlanOptions, Problem, candidates, objective, plan, score, verify,
};
use serde_json::{Value, json};

/// A lead and a co, both free Monday to Friday all day, vetted at the prison, one case there.
fn base() -> Value {
    json!({
        "timezone": "Europe/London",
        "horizon": {"start": "2027-03-01", "end": "2027-03-31"},
        "granularity_minutes": 15,
        "travel_buffer_minutes": 60,
        "venues": [
            {"id": "hmp-a", "rooms": 1, "requires_vetting": true,
             "windows": [{"days": ["mon","tue","wed","thu","fri"], "start": "09:00", "end": "11:30"}],
             "location": [51.87, -2.24]},
            {"id": "cv-b", "rooms": 2, "requires_vetting": false,
             "windows": [{"days": ["mon","tue","wed","thu","fri","sat","sun"], "start": "00:00", "end": "24:00"}]}
        ],
        "facilitators": [
            {"id": "lead1", "level": "lead", "max_per_month": 4, "checks_valid_until": "2028-01-01",
             "vetted_at": ["hmp-a"],
             "availability": [{"days": ["mon","tue","wed","thu","fri","sat","sun"], "start": "00:00", "end": "24:00"}]},
            {"id": "co1", "level": "co", "max_per_month": 4, "checks_valid_until": "2028-01-01",
             "vetted_at": ["hmp-a"],
             "availability": [{"days": ["mon","tue","wed","thu","fri","sat","sun"], "start": "00:00", "end": "24:00"}]}
        ],
        "cases": [
            {"id": "c1", "venue": "hmp-a", "duration_minutes": 120,
             "earliest": "2027-03-01", "deadline": "2027-03-31"}
        ]
    })
}

fn compile(value: &Value) -> Problem {
    let instance: Instance = serde_json::from_value(value.clone()).expect("test instance parses");
    Problem::compile(&instance).expect("test instance compiles")
}

fn compile_err(value: &Value) -> InstanceError {
    match Instance::from_json(&value.to_string()).and_then(|i| Problem::compile(&i)) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn starts_on(problem: &Problem, case: usize, date: &str) -> Vec<String> {
    problem.cases[case]
        .slots
        .iter()
        .map(|s| format_local(s.start_local))
        .filter(|s| s.starts_with(date))
        .map(|s| s[11..].to_string())
        .collect()
}

/// The first failing rule for facilitator `f` in case `c` at local start `at`.
fn failure(problem: &Problem, f: usize, c: usize, at: &str) -> Option<RuledOutBy> {
    let local = parse_local_datetime("t", at).expect("test time");
    let start = local_to_instant(problem.tz, local).expect("test time exists");
    let slot = problem.slot_at(&problem.cases[c], start);
    rules::first_failure(problem, f, c, &slot, NewLoad::default())
}

fn booking(case: &str, start: &str, end: &str, a: &str, b: &str) -> Booking {
    Booking { case: case.into(), start: start.into(), end: end.into(), facilitators: [a.into(), b.into()] }
}

fn plan_of(problem: &Problem, bookings: Vec<Booking>) -> Plan {
    let booked: Vec<String> = bookings.iter().map(|b| b.case.clone()).collect();
    let unbooked = problem
        .cases
        .iter()
        .filter(|c| !booked.contains(&c.id))
        .map(|c| convene_matcher::matcher::Unbooked { case: c.id.clone(), reason: "test".into() })
        .collect();
    let objective = objective(problem, &bookings);
    Plan { bookings, unbooked, objective }
}

#[test]
fn conference_may_end_exactly_at_window_end_but_not_one_step_later() {
    let problem = compile(&base());
    // 09:00–11:30 window, 120 minutes, 15-minute grid.
    assert_eq!(starts_on(&problem, 0, "2027-03-03"), ["09:00", "09:15", "09:30"]);
}

#[test]
fn grid_is_counted_from_each_window_start() {
    let mut v = base();
    v["venues"][0]["windows"] = json!([
        {"days": ["wed"], "start": "09:10", "end": "11:40"},
        {"days": ["wed"], "start": "14:00", "end": "16:00"}
    ]);
    let problem = compile(&v);
    assert_eq!(starts_on(&problem, 0, "2027-03-03"), ["09:10", "09:25", "09:40", "14:00"]);
}

#[test]
fn a_window_must_hold_the_conference_on_its_own() {
    let mut v = base();
    v["venues"][0]["windows"] = json!([
        {"days": ["wed"], "start": "09:00", "end": "10:00"},
        {"days": ["wed"], "start": "10:00", "end": "11:00"}
    ]);
    let problem = compile(&v);
    assert!(problem.cases[0].slots.is_empty());
    let result = plan(&problem, &PlanOptions::default());
    assert!(
        result.unbooked[0].reason.contains("closed or without a window long enough for 120 minutes"),
        "{}",
        result.unbooked[0].reason
    );
}

#[test]
fn weekly_availability_is_the_union_of_the_days_entries() {
    let mut v = base();
    v["facilitators"][0]["availability"] = json!([
        {"days": ["wed"], "start": "08:00", "end": "10:00"},
        {"days": ["wed"], "start": "10:00", "end": "12:00"}
    ]);
    let problem = compile(&v);
    assert_eq!(failure(&problem, 0, 0, "2027-03-03T09:00"), None);
    assert!(matches!(failure(&problem, 0, 0, "2027-03-04T09:00"), Some(RuledOutBy::NotAvailableByPattern { .. })));
}

#[test]
fn empty_availability_means_never_available() {
    let mut v = base();
    v["facilitators"][0].as_object_mut().expect("object").remove("availability");
    let problem = compile(&v);
    assert!(matches!(failure(&problem, 0, 0, "2027-03-03T09:00"), Some(RuledOutBy::NotAvailableByPattern { .. })));
}

#[test]
fn closures_are_inclusive_at_both_ends() {
    let mut v = base();
    v["venues"][0]["closed"] = json!([{"from": "2027-03-10", "to": "2027-03-11"}]);
    let problem = compile(&v);
    assert!(!starts_on(&problem, 0, "2027-03-09").is_empty());
    assert!(starts_on(&problem, 0, "2027-03-10").is_empty());
    assert!(starts_on(&problem, 0, "2027-03-11").is_empty());
    assert!(!starts_on(&problem, 0, "2027-03-12").is_empty());
}

#[test]
fn dates_are_limited_by_earliest_deadline_and_horizon() {
    let mut v = base();
    v["cases"][0]["earliest"] = json!("2027-02-20");
    v["cases"][0]["deadline"] = json!("2027-03-02");
    let problem = compile(&v);
    let dates: Vec<_> = problem.cases[0].slots.iter().map(|s| s.date.to_string()).collect();
    assert_eq!(dates.first().map(String::as_str), Some("2027-03-01"));
    assert_eq!(dates.last().map(String::as_str), Some("2027-03-02"));
}

#[test]
fn rooms_allow_that_many_concurrent_conferences_and_touching_is_fine() {
    use convene_matcher::matcher::model::Interval;
    let i = |s: i64, e: i64| Interval { start: s, end: e };
    assert!(rules::rooms_suffice(2, i(0, 120), &[i(0, 120)]));
    assert!(!rules::rooms_suffice(2, i(0, 120), &[i(0, 120), i(60, 180)]));
    assert!(rules::rooms_suffice(2, i(0, 120), &[i(0, 60), i(60, 120)]));
    assert!(rules::rooms_suffice(1, i(120, 240), &[i(0, 120)]));
    assert!(!rules::rooms_suffice(1, i(119, 240), &[i(0, 120)]));

    // Through verify: three cases at a 2-room venue, six facilitators.
    let mut v = base();
    let f = v["facilitators"][0].clone();
    let mut facilitators = Vec::new();
    for k in 0..6 {
        let mut x = f.clone();
        x["id"] = json!(format!("f{k}"));
        facilitators.push(x);
    }
    v["facilitators"] = json!(facilitators);
    let case = json!({"venue": "cv-b", "duration_minutes": 120, "earliest": "2027-03-01", "deadline": "2027-03-31"});
    let mut cases = Vec::new();
    for k in 0..3 {
        let mut x = case.clone();
        x["id"] = json!(format!("c{k}"));
        cases.push(x);
    }
    v["cases"] = json!(cases);
    let problem = compile(&v);
    let two = plan_of(
        &problem,
        vec![
            booking("c0", "2027-03-03T09:00", "2027-03-03T11:00", "f0", "f1"),
            booking("c1", "2027-03-03T09:00", "2027-03-03T11:00", "f2", "f3"),
            booking("c2", "2027-03-03T11:00", "2027-03-03T13:00", "f4", "f5"),
        ],
    );
    assert_eq!(verify(&problem, &two), vec![]);
    let three = plan_of(
        &problem,
        vec![
            booking("c0", "2027-03-03T09:00", "2027-03-03T11:00", "f0", "f1"),
            booking("c1", "2027-03-03T09:00", "2027-03-03T11:00", "f2", "f3"),
            booking("c2", "2027-03-03T10:45", "2027-03-03T12:45", "f4", "f5"),
        ],
    );
    assert!(verify(&problem, &three).iter().any(|x| x.message.contains("more than 2 conferences")));
    // The planner itself never overfills: all three on the best day, one later or elsewhere.
    let planned = plan(&problem, &PlanOptions::default());
    assert_eq!(verify(&problem, &planned), vec![]);
    assert_eq!(planned.bookings.len(), 3);
}

#[test]
fn travel_buffer_around_existing_bookings_is_exact() {
    let mut v = base();
    // Ends 08:00: a 09:00 start leaves exactly 60 minutes.
    v["facilitators"][0]["booked"] = json!([{"start": "2027-03-03T06:00", "end": "2027-03-03T08:00"}]);
    // Ends 08:01 on Thursday: 59 minutes.
    v["facilitators"][1]["booked"] = json!([{"start": "2027-03-04T06:00", "end": "2027-03-04T08:01"}]);
    let problem = compile(&v);
    assert_eq!(failure(&problem, 0, 0, "2027-03-03T09:00"), None);
    assert_eq!(failure(&problem, 1, 0, "2027-03-03T09:00"), None);
    assert!(matches!(failure(&problem, 1, 0, "2027-03-04T09:00"), Some(RuledOutBy::Booked { .. })));
    assert_eq!(failure(&problem, 1, 0, "2027-03-04T09:15"), None);
    // And after: booked starting 12:00 leaves exactly 60 after an 11:00 end.
    let mut v = base();
    v["facilitators"][0]["booked"] = json!([{"start": "2027-03-03T12:00", "end": "2027-03-03T13:00"}]);
    let problem = compile(&v);
    assert_eq!(failure(&problem, 0, 0, "2027-03-03T09:00"), None);
    assert!(failure(&problem, 0, 0, "2027-03-03T09:15").is_some());
}

#[test]
fn travel_buffer_around_the_harmers_appointments_is_exact() {
    let mut v = base();
    v["cases"][0]["blocked"] = json!([
        {"start": "2027-03-03T07:00", "end": "2027-03-03T08:00"},
        {"start": "2027-03-04T07:00", "end": "2027-03-04T08:01"}
    ]);
    let problem = compile(&v);
    assert_eq!(starts_on(&problem, 0, "2027-03-03"), ["09:00", "09:15", "09:30"]);
    assert_eq!(starts_on(&problem, 0, "2027-03-04"), ["09:15", "09:30"]);
}

#[test]
fn unavailable_has_no_buffer_and_is_half_open() {
    let mut v = base();
    v["facilitators"][0]["unavailable"] = json!([
        {"from": "2027-03-01T00:00", "to": "2027-03-03T09:00"},
        {"from": "2027-03-04T11:00", "to": "2027-03-05T00:00"}
    ]);
    let problem = compile(&v);
    assert_eq!(failure(&problem, 0, 0, "2027-03-03T09:00"), None);
    assert_eq!(failure(&problem, 0, 0, "2027-03-04T09:00"), None);
    assert!(matches!(failure(&problem, 0, 0, "2027-03-04T09:15"), Some(RuledOutBy::Unavailable { .. })));
}

#[test]
fn two_new_bookings_of_one_facilitator_need_the_buffer() {
    let mut v = base();
    v["venues"][0]["rooms"] = json!(2);
    v["facilitators"][1]["level"] = json!("lead");
    let mut third = v["facilitators"][0].clone();
    third["id"] = json!("lead2");
    v["facilitators"].as_array_mut().expect("array").push(third);
    v["venues"][0]["windows"] = json!([{"days": ["wed"], "start": "08:00", "end": "18:00"}]);
    let mut c2 = v["cases"][0].clone();
    c2["id"] = json!("c2");
    c2["duration_minutes"] = json!(60);
    v["cases"].as_array_mut().expect("array").push(c2);
    let problem = compile(&v);
    let exact_gap = plan_of(
        &problem,
        vec![
            booking("c1", "2027-03-03T08:00", "2027-03-03T10:00", "lead1", "co1"),
            booking("c2", "2027-03-03T11:00", "2027-03-03T12:00", "lead2", "co1"),
        ],
    );
    assert_eq!(verify(&problem, &exact_gap), vec![]);
    let short_gap = plan_of(
        &problem,
        vec![
            booking("c1", "2027-03-03T08:00", "2027-03-03T10:00", "lead1", "co1"),
            booking("c2", "2027-03-03T10:45", "2027-03-03T11:45", "lead2", "co1"),
        ],
    );
    let found = verify(&problem, &short_gap);
    assert!(found.iter().any(|x| x.message.contains("co1: booked for case")), "{found:?}");
}

#[test]
fn monthly_maximum_counts_existing_bookings_even_outside_the_horizon() {
    let mut v = base();
    v["horizon"]["start"] = json!("2027-03-15");
    v["facilitators"][0]["max_per_month"] = json!(1);
    // Before the horizon but in March: counts. February: does not.
    v["facilitators"][0]["booked"] = json!([{"start": "2027-03-02T09:00", "end": "2027-03-02T10:00"}]);
    v["facilitators"][1]["max_per_month"] = json!(1);
    v["facilitators"][1]["booked"] = json!([{"start": "2027-02-26T09:00", "end": "2027-02-26T10:00"}]);
    let problem = compile(&v);
    let found = failure(&problem, 0, 0, "2027-03-17T09:00");
    assert_eq!(found.map(|f| f.to_string()), Some("at the monthly maximum (1) in March 2027".to_string()));
    assert_eq!(failure(&problem, 1, 0, "2027-03-17T09:00"), None);
}

#[test]
fn monthly_maximum_counts_new_bookings_in_the_plan() {
    let mut v = base();
    v["facilitators"][1]["max_per_month"] = json!(1);
    v["facilitators"][1]["level"] = json!("lead");
    let mut third = v["facilitators"][0].clone();
    third["id"] = json!("lead2");
    v["facilitators"].as_array_mut().expect("array").push(third);
    let mut c2 = v["cases"][0].clone();
    c2["id"] = json!("c2");
    v["cases"].as_array_mut().expect("array").push(c2);
    let problem = compile(&v);
    let over = plan_of(
        &problem,
        vec![
            booking("c1", "2027-03-03T09:00", "2027-03-03T11:00", "lead1", "co1"),
            booking("c2", "2027-03-10T09:00", "2027-03-10T11:00", "lead2", "co1"),
        ],
    );
    assert!(verify(&problem, &over).iter().any(|x| x.message.contains("monthly maximum (1)")));
}

#[test]
fn checks_are_valid_through_their_last_date() {
    let mut v = base();
    v["facilitators"][0]["checks_valid_until"] = json!("2027-03-03");
    let problem = compile(&v);
    assert_eq!(failure(&problem, 0, 0, "2027-03-03T09:00"), None);
    assert_eq!(
        failure(&problem, 0, 0, "2027-03-04T09:00").map(|f| f.to_string()),
        Some("checks valid until 2027-03-03, before the slot on 2027-03-04".to_string())
    );
    let mut v = base();
    v["facilitators"][0].as_object_mut().expect("object").remove("checks_valid_until");
    let problem = compile(&v);
    assert_eq!(failure(&problem, 0, 0, "2027-03-03T09:00"), Some(RuledOutBy::NoChecks));
}

#[test]
fn vetting_is_needed_only_where_the_venue_requires_it() {
    let mut v = base();
    v["facilitators"][0]["vetted_at"] = json!([]);
    let mut c2 = v["cases"][0].clone();
    c2["id"] = json!("c2");
    c2["venue"] = json!("cv-b");
    v["cases"].as_array_mut().expect("array").push(c2);
    let problem = compile(&v);
    assert_eq!(
        failure(&problem, 0, 0, "2027-03-03T09:00").map(|f| f.to_string()),
        Some("not vetted at hmp-a".to_string())
    );
    assert_eq!(failure(&problem, 0, 1, "2027-03-03T09:00"), None);
    let result = candidates(&problem, "c1", 5).expect("known case");
    assert!(result.candidates.is_empty());
    assert!(result.ruled_out.iter().any(|r| r.facilitator == "lead1" && r.reason == "not vetted at hmp-a"));
    let planned = plan(&problem, &PlanOptions::default());
    let unbooked = planned.unbooked.iter().find(|u| u.case == "c1").expect("c1 unbooked");
    assert!(unbooked.reason.starts_with("no lead facilitator vetted at hmp-a is available"), "{}", unbooked.reason);
}

#[test]
fn a_declared_conflict_rules_a_facilitator_out() {
    let mut v = base();
    v["facilitators"][1]["conflicts"] = json!(["c1", "c-not-in-this-batch"]);
    let problem = compile(&v);
    let result = candidates(&problem, "c1", 5).expect("known case");
    assert!(result.candidates.is_empty());
    assert_eq!(
        result.ruled_out.iter().find(|r| r.facilitator == "co1").map(|r| r.reason.as_str()),
        Some("conflict of interest declared")
    );
}

#[test]
fn two_co_facilitators_are_never_a_pair() {
    let mut v = base();
    v["facilitators"][0]["level"] = json!("co");
    let problem = compile(&v);
    assert!(candidates(&problem, "c1", 5).expect("known").candidates.is_empty());
    let planned = plan(&problem, &PlanOptions::default());
    assert!(planned.bookings.is_empty());
    assert!(planned.unbooked[0].reason.starts_with("no lead facilitator"));
    let forced = plan_of(&problem, vec![booking("c1", "2027-03-03T09:00", "2027-03-03T11:00", "lead1", "co1")]);
    assert!(verify(&problem, &forced).iter().any(|x| x.message == "no lead facilitator"));
}

#[test]
fn candidates_are_ranked_with_earlier_start_breaking_ties() {
    let problem = compile(&base());
    let result = candidates(&problem, "c1", 4).expect("known case");
    let starts: Vec<&str> = result.candidates.iter().map(|c| c.start.as_str()).collect();
    assert_eq!(starts, ["2027-03-01T09:00", "2027-03-01T09:15", "2027-03-01T09:30", "2027-03-02T09:00"]);
    let first = &result.candidates[0];
    assert_eq!((first.lead.as_str(), first.second.as_str()), ("lead1", "co1"));
    assert_eq!(first.breakdown.total(), first.score);
    assert_eq!(first.breakdown.days_to_deadline, 2 * 30);
    assert!(result.ruled_out.is_empty());
}

#[test]
fn march_clock_change_skips_the_missing_hour() {
    let mut v = base();
    v["horizon"] = json!({"start": "2027-03-27", "end": "2027-03-29"});
    v["granularity_minutes"] = json!(30);
    v["venues"][1]["windows"] = json!([{"days": ["sun"], "start": "00:30", "end": "02:30"}]);
    v["cases"] = json!([
        {"id": "short", "venue": "cv-b", "duration_minutes": 60, "earliest": "2027-03-27", "deadline": "2027-03-29"},
        {"id": "long", "venue": "cv-b", "duration_minutes": 120, "earliest": "2027-03-27", "deadline": "2027-03-29"}
    ]);
    let problem = compile(&v);
    // 00:30 GMT + 60 elapsed minutes = 02:30 BST: exactly the window end. 01:00 and 01:30 do
    // not exist; 02:00 BST + 60 = 03:00, past the window.
    let short: Vec<_> =
        problem.cases[0].slots.iter().map(|s| (format_local(s.start_local), format_local(s.end_local))).collect();
    assert_eq!(short, [("2027-03-28T00:30".to_string(), "2027-03-28T02:30".to_string())]);
    assert!(problem.cases[1].slots.is_empty());

    // A nonexistent local time in the input is an error.
    let mut bad = v.clone();
    bad["facilitators"][0]["booked"] = json!([{"start": "2027-03-28T01:30", "end": "2027-03-28T03:00"}]);
    let err = compile_err(&bad);
    assert!(matches!(err, InstanceError::NonexistentLocalTime { .. }), "{err}");
    assert!(err.to_string().contains("2027-03-28T01:30"));
}

#[test]
fn october_clock_change_duration_is_elapsed_and_containment_wall_clock() {
    let mut v = base();
    v["horizon"] = json!({"start": "2027-10-30", "end": "2027-11-01"});
    v["granularity_minutes"] = json!(30);
    v["venues"][1]["windows"] = json!([{"days": ["sun"], "start": "00:30", "end": "02:30"}]);
    v["cases"] = json!([
        {"id": "c1", "venue": "cv-b", "duration_minutes": 120, "earliest": "2027-10-30", "deadline": "2027-11-01"}
    ]);
    let problem = compile(&v);
    let slots: Vec<_> = problem.cases[0]
        .slots
        .iter()
        .map(|s| (format_local(s.start_local), format_local(s.end_local), s.end - s.start))
        .collect();
    assert_eq!(
        slots,
        [
            ("2027-10-31T00:30".to_string(), "2027-10-31T01:30".to_string(), 120),
            ("2027-10-31T01:00".to_string(), "2027-10-31T02:00".to_string(), 120),
            ("2027-10-31T01:30".to_string(), "2027-10-31T02:30".to_string(), 120),
        ]
    );
    // Ambiguous input times are their first occurrence (BST, UTC+1).
    let local = parse_local_datetime("t", "2027-10-31T01:30").expect("time");
    let first = local_to_instant(problem.tz, local).expect("exists");
    let utc = parse_local_datetime("t", "2027-10-31T00:30").expect("time");
    let utc_minutes = utc.and_utc().timestamp() / 60;
    assert_eq!(first, utc_minutes);

    // The planner books it, and verify accepts the elapsed-time end.
    let planned = plan(&problem, &PlanOptions::default());
    assert_eq!(verify(&problem, &planned), vec![]);
    assert_eq!(planned.bookings[0].start, "2027-10-31T00:30");
    assert_eq!(planned.bookings[0].end, "2027-10-31T01:30");
}

#[test]
fn instance_errors_are_clear_and_never_panic() {
    let mut v = base();
    v["cases"][0]["venue"] = json!("hmp-nowhere");
    assert_eq!(compile_err(&v).to_string(), "case c1: unknown venue id \"hmp-nowhere\"");
    let mut v = base();
    v["cases"][0]["deadline"] = json!("2027-02-30");
    assert!(compile_err(&v).to_string().contains("case c1: deadline"));
    let mut v = base();
    v["venues"][0]["windows"][0]["start"] = json!("9am");
    assert!(matches!(compile_err(&v), InstanceError::BadTime { .. }));
    let mut v = base();
    v["facilitators"][0]["level"] = json!("senior");
    assert!(matches!(compile_err(&v), InstanceError::Json(_)));
    let mut v = base();
    v["facilitators"][1]["id"] = json!("lead1");
    assert!(matches!(compile_err(&v), InstanceError::DuplicateId { .. }));
    let mut v = base();
    v["timezone"] = json!("Mars/Olympus");
    assert!(matches!(compile_err(&v), InstanceError::UnknownTimeZone(_)));
    let mut v = base();
    v["facilitators"][0]["unavailable"] = json!([{"from": "2027-03-05T00:00", "to": "2027-03-04T00:00"}]);
    assert!(compile_err(&v).to_string().contains("before it starts"));
    assert!(Instance::from_json("{not json").is_err());
    let mut v = base();
    v["horizon"]["end"] = json!("99999-01-01");
    assert!(matches!(compile_err(&v), InstanceError::BadDate { .. }));
    let mut v = base();
    v["horizon"]["end"] = json!("2099-01-01");
    assert!(compile_err(&v).to_string().contains("longer than"));
    let problem = compile(&base());
    assert!(matches!(candidates(&problem, "nope", 3), Err(InstanceError::UnknownCase(_))));
}

#[test]
fn objective_terms() {
    // Gloucester to Cheltenham-ish: about 12 km.
    let d = score::haversine_km([51.87, -2.24], [51.90, -2.07]);
    assert!((12.0..13.0).contains(&d), "{d}");
    assert_eq!(score::haversine_km([0.0, 0.0], [0.0, 0.0]), 0.0);
    let mut v = base();
    v["cases"][0]["deadline"] = json!("2027-06-30"); // beyond the horizon: still counts
    v["cases"][0]["continuity"] = json!(["co1", "somebody-else"]);
    v["facilitators"][0]["location"] = json!([51.90, -2.07]);
    v["facilitators"][0]["recent_conferences"] = json!(2);
    let problem = compile(&v);
    let b = score::breakdown(&problem, 0, chrono::NaiveDate::from_ymd_opt(2027, 3, 1).expect("date"), [0, 1]);
    assert_eq!(b.base, 1000);
    assert_eq!(b.continuity, 40);
    assert_eq!(b.days_to_deadline, 2 * 121);
    assert_eq!(b.travel, -12);
    assert_eq!(b.recent, -10);
    let planned = plan(&problem, &PlanOptions::default());
    assert_eq!(planned.objective, b.total());
    assert_eq!(verify(&problem, &planned), vec![]);
}

#[test]
fn verify_catches_a_wrong_end_and_a_wrong_objective() {
    let problem = compile(&base());
    let mut p = plan_of(&problem, vec![booking("c1", "2027-03-03T09:00", "2027-03-03T10:00", "lead1", "co1")]);
    p.objective += 1;
    let found = verify(&problem, &p);
    assert!(found.iter().any(|x| x.message.contains("not 120 minutes after")));
    assert!(found.iter().any(|x| x.message.contains("objective")));
    let off_grid = plan_of(&problem, vec![booking("c1", "2027-03-03T09:05", "2027-03-03T11:05", "lead1", "co1")]);
    assert!(verify(&problem, &off_grid).iter().any(|x| x.message.contains("windows on its grid")));
}
