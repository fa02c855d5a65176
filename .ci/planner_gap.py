"""The planner's gap to CP-SAT on the same rules. Reads the JSON of the matcher's `export`
example (the planner's own tables and its result) and solves the same model exactly with
OR-Tools CP-SAT: per case at most one slot; at a chosen slot two facilitators free there, at
least one a lead; each facilitator's conferences `buffer` minutes apart and within their
room each month; no more conferences at once at a venue than its rooms. CP-SAT maximises the objective alone (each booking scores 1000 and more, so the plan with
the most cases is also, in practice, the one with the highest objective): its proven bound
then bounds the objective of any plan. Prints the planner's cases and objective, CP-SAT's
best objective, the lower of CP-SAT's and the Lagrangian bound, and the gap, as a Markdown
table row.

    python3 planner_gap.py SECONDS NAME SEED < export.json"""

import json
import sys

from ortools.sat.python import cp_model



def solve(data, seconds):
    t = data["tables"]
    months = t["months"]
    model = cp_model.CpModel()
    case_value = []  # (bool var, coefficient) for the objective
    by_facilitator = {}  # f -> [(bool, start, end, month)]
    by_venue = {}
    for c, case in enumerate(t["cases"]):
        chosen = []
        for s, slot in enumerate(case["slots"]):
            y = model.NewBoolVar(f"y{c}_{s}")
            chosen.append(y)
            case_value.append((y, slot["base"]))
            zs, leads = [], []
            for f, weight in slot["eligible"]:
                z = model.NewBoolVar(f"z{c}_{s}_{f}")
                model.AddImplication(z, y)
                zs.append(z)
                if t["lead"][f]:
                    leads.append(z)
                case_value.append((z, weight))
                by_facilitator.setdefault(f, []).append((z, slot["start"], slot["end"], slot["month"]))
            model.Add(sum(zs) == 2 * y)
            model.Add(sum(leads) >= y)
            by_venue.setdefault(case["venue"], []).append((y, slot["start"], slot["end"]))
        model.AddAtMostOne(chosen)
    for f, uses in by_facilitator.items():
        for m in range(months):
            in_month = [z for z, _, _, month in uses if month == m]
            if in_month:
                model.Add(sum(in_month) <= t["month_room"][f * months + m])
        # Bookings of one facilitator at least `buffer` apart: intervals widened by it.
        intervals = [model.NewOptionalFixedSizeIntervalVar(start, end - start + t["buffer"], z, "")
                     for z, start, end, _ in uses]
        model.AddNoOverlap(intervals)
    for v, uses in by_venue.items():
        intervals = [model.NewOptionalFixedSizeIntervalVar(start, end - start, y, "") for y, start, end in uses]
        model.AddCumulative(intervals, [1] * len(intervals), t["rooms"][v])
    model.Maximize(sum(coefficient * var for var, coefficient in case_value))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 8
    status = solver.Solve(model)
    value, bound = round(solver.ObjectiveValue()), int(solver.BestObjectiveBound())
    return solver.StatusName(status), value, bound


def main():
    seconds, name, seed = float(sys.argv[1]), sys.argv[2], sys.argv[3]
    data = json.load(sys.stdin)
    status, value, bound = solve(data, seconds)
    plan = data["plan"]
    # Any plan's objective is at most CP-SAT's proven bound and at most the Lagrangian one.
    best_bound = min(bound, data["lagrangian_bound"])
    gap = 100 * (best_bound - plan["objective"]) / best_bound
    print(f"| {name} | {seed} | {plan['booked']}/{data['bookable']} | {plan['objective']} | {value} "
          f"| {best_bound} | {gap:.3f} | {plan['seconds']:.2f} | {status} |")


if __name__ == "__main__":
    main()
