//! Expense rules: a volunteer builds a draft claim from items and submits it; coordinators
//! approve (pricing mileage against the volunteer's approved miles at that moment), reject
//! or mark it paid. Every change, and the email it causes, is one transaction; a volunteer's
//! queries are scoped to their own claims, so another's claim is a missing row.

use entity::Code;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use entity::expense_claim::{self, ExpenseStatus};
use entity::expense_item::{self, ExpenseKind, Vehicle};
use entity::{expense_receipt, idempotency_key, user, volunteer};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select, Set,
};
use serde::Deserialize;
use url::Url;

use super::input::{NewClaim, NewItem};
use super::mileage::{self, Journey, tax_year_of};
use super::receipts::{self, MAX_RECEIPT_BYTES, MAX_RECEIPTS_PER_CLAIM};
use crate::audit::{self, AuditEntry};
use crate::db::{Db, Page, Paging, begin_write, is_unique_violation};
use crate::domain::Pence;
use crate::error::{AppError, AppResult};
use crate::notifications::messages;
use crate::notifications::outbox::{self, Outgoing};
use crate::secrets::random_token;
use crate::web::identity::AuthUser;
use crate::web::links::Links;

/// One item with the amount it is worth now.
#[derive(Clone, Debug)]
pub struct ItemView {
    pub item: expense_item::Model,
    pub amount: Pence,
    /// Mileage before approval: priced against the miles approved so far.
    pub is_estimate: bool,
}

/// A claim with everything shown about it.
#[derive(Clone, Debug)]
pub struct ClaimView {
    pub claim: expense_claim::Model,
    pub volunteer_name: String,
    pub items: Vec<ItemView>,
    pub receipts: Vec<expense_receipt::Model>,
    pub total: Pence,
    pub total_is_estimate: bool,
}

/// "EXP-42": how a claim is named to people.
pub fn reference(claim_id: i64) -> String {
    format!("EXP-{claim_id}")
}

fn only_drafts() -> AppError {
    AppError::Conflict("This claim has been submitted; only a draft claim can be changed.".into())
}

/// The volunteer record of the account asking; claiming is for volunteers only.
pub async fn own_volunteer(db: &impl ConnectionTrait, user: &AuthUser) -> AppResult<volunteer::Model> {
    volunteer::Entity::find()
        .filter(volunteer::Column::UserId.eq(user.id))
        .one(db)
        .await?
        // Coordinators and admins decide claims; only volunteers make them.
        .ok_or(AppError::Forbidden)
}

/// One claim as `viewer` may see it: coordinators see any, a volunteer only their own.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    id: i64,
) -> Result<Option<expense_claim::Model>, DbErr> {
    let mut query = expense_claim::Entity::find_by_id(id);
    if !viewer.role.is_coordinator() {
        let Some(own) = volunteer::Entity::find().filter(volunteer::Column::UserId.eq(viewer.id)).one(db).await? else {
            return Ok(None);
        };
        query = query.filter(expense_claim::Column::VolunteerId.eq(own.id));
    }
    query.one(db).await
}

/// One of the asking volunteer's own claims (coordinators do not edit volunteers' claims).
async fn find_own(db: &impl ConnectionTrait, user: &AuthUser, id: i64) -> AppResult<expense_claim::Model> {
    let Some(own) = volunteer::Entity::find().filter(volunteer::Column::UserId.eq(user.id)).one(db).await? else {
        return Err(AppError::NotFound);
    };
    expense_claim::Entity::find_by_id(id)
        .filter(expense_claim::Column::VolunteerId.eq(own.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Car/van tenths of a mile already approved for each of `volunteer_ids`, by tax year, in
/// one query.
async fn approved_tenths(
    db: &impl ConnectionTrait,
    volunteer_ids: Vec<i64>,
) -> Result<HashMap<i64, BTreeMap<i32, i64>>, DbErr> {
    let mut by_volunteer: HashMap<i64, BTreeMap<i32, i64>> = HashMap::new();
    if volunteer_ids.is_empty() {
        return Ok(by_volunteer);
    }
    let items = expense_item::Entity::find()
        .find_also_related(expense_claim::Entity)
        .filter(expense_claim::Column::VolunteerId.is_in(volunteer_ids))
        .filter(expense_claim::Column::Status.is_in([ExpenseStatus::Approved, ExpenseStatus::Paid]))
        .filter(expense_item::Column::Kind.eq(ExpenseKind::Mileage))
        .filter(expense_item::Column::Vehicle.eq(Vehicle::CarVan))
        .all(db)
        .await?;
    for (item, claim) in items {
        let Some(claim) = claim else { continue };
        *by_volunteer.entry(claim.volunteer_id).or_default().entry(tax_year_of(item.incurred_on)).or_insert(0) +=
            item.miles_tenths.unwrap_or(0);
    }
    Ok(by_volunteer)
}

fn journey_of(item: &expense_item::Model) -> Option<Journey> {
    Some(Journey { vehicle: item.vehicle?, miles_tenths: item.miles_tenths?, passengers: item.passengers.unwrap_or(0) })
}

/// Prices a claim's mileage in date order, each journey after the approved miles of its
/// tax year and the claim's earlier journeys. Returns the amounts by item id.
fn price_mileage(items: &[expense_item::Model], mut approved: BTreeMap<i32, i64>) -> BTreeMap<i64, Pence> {
    let mut journeys: Vec<(&expense_item::Model, Journey)> =
        items.iter().filter_map(|item| journey_of(item).map(|j| (item, j))).collect();
    journeys.sort_by_key(|(item, _)| (item.incurred_on, item.id));
    let mut prices = BTreeMap::new();
    for (item, journey) in journeys {
        let so_far = approved.entry(tax_year_of(item.incurred_on)).or_insert(0);
        prices.insert(item.id, mileage::price(journey, *so_far));
        *so_far += mileage::counted_tenths(journey);
    }
    prices
}

/// The claim with its items priced: stored amounts once approved, estimates before.
pub async fn view(db: &impl ConnectionTrait, claim: expense_claim::Model) -> Result<ClaimView, DbErr> {
    let id = claim.id;
    views(db, vec![claim]).await?.pop().ok_or_else(|| DbErr::RecordNotFound(format!("claim {id}")))
}

/// A claim with its items priced: stored amounts once approved, estimates before.
#[derive(Clone, Debug)]
pub struct Priced {
    pub claim: expense_claim::Model,
    pub items: Vec<ItemView>,
    pub total: Pence,
    pub total_is_estimate: bool,
}

/// Each claim priced, in the same order, in two queries however many there are.
pub async fn priced(db: &impl ConnectionTrait, claims: Vec<expense_claim::Model>) -> Result<Vec<Priced>, DbErr> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let mut items: HashMap<i64, Vec<expense_item::Model>> = HashMap::new();
    for item in expense_item::Entity::find()
        .filter(expense_item::Column::ClaimId.is_in(claims.iter().map(|c| c.id).collect::<Vec<_>>()))
        .order_by_asc(expense_item::Column::IncurredOn)
        .order_by_asc(expense_item::Column::Id)
        .all(db)
        .await?
    {
        items.entry(item.claim_id).or_default().push(item);
    }
    // Estimates need the approved miles only of volunteers with an unpriced item.
    let estimating: Vec<i64> = claims
        .iter()
        .filter(|c| items.get(&c.id).is_some_and(|items| items.iter().any(|i| i.amount_pence.is_none())))
        .map(|c| c.volunteer_id)
        .collect();
    let approved = approved_tenths(db, estimating).await?;
    Ok(claims
        .into_iter()
        .map(|claim| {
            let items = items.remove(&claim.id).unwrap_or_default();
            let estimates = if items.iter().any(|i| i.amount_pence.is_none()) {
                price_mileage(&items, approved.get(&claim.volunteer_id).cloned().unwrap_or_default())
            } else {
                BTreeMap::new()
            };
            let mut total = Pence::ZERO;
            let mut total_is_estimate = false;
            let items: Vec<ItemView> = items
                .into_iter()
                .map(|item| {
                    let (amount, is_estimate) = match item.amount_pence.and_then(Pence::new) {
                        Some(stored) => (stored, false),
                        None => (estimates.get(&item.id).copied().unwrap_or(Pence::ZERO), true),
                    };
                    total = total.checked_add(amount).unwrap_or(total);
                    total_is_estimate |= is_estimate;
                    ItemView { item, amount, is_estimate }
                })
                .collect();
            if let Some(stored) = claim.total_pence.and_then(Pence::new) {
                total = stored;
                total_is_estimate = false;
            }
            Priced { claim, items, total, total_is_estimate }
        })
        .collect())
}

/// [`view`] of each claim, in the same order, in four queries however many there are.
pub async fn views(db: &impl ConnectionTrait, claims: Vec<expense_claim::Model>) -> Result<Vec<ClaimView>, DbErr> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let mut receipts: HashMap<i64, Vec<expense_receipt::Model>> = HashMap::new();
    for receipt in expense_receipt::Entity::find()
        .filter(expense_receipt::Column::ClaimId.is_in(claims.iter().map(|c| c.id).collect::<Vec<_>>()))
        .order_by_asc(expense_receipt::Column::Id)
        .all(db)
        .await?
    {
        receipts.entry(receipt.claim_id).or_default().push(receipt);
    }
    let mut volunteer_ids: Vec<i64> = claims.iter().map(|c| c.volunteer_id).collect();
    volunteer_ids.sort_unstable();
    volunteer_ids.dedup();
    let names = crate::volunteers::service::names(db, &volunteer_ids).await?;
    Ok(priced(db, claims)
        .await?
        .into_iter()
        .map(|Priced { claim, items, total, total_is_estimate }| ClaimView {
            volunteer_name: names.get(&claim.volunteer_id).cloned().unwrap_or_default(),
            receipts: receipts.remove(&claim.id).unwrap_or_default(),
            claim,
            items,
            total,
            total_is_estimate,
        })
        .collect())
}

/// The volunteer's latest `limit` claims, priced (their dashboard): three queries at most.
pub async fn latest_priced(db: &impl ConnectionTrait, volunteer_id: i64, limit: u64) -> Result<Vec<Priced>, DbErr> {
    let claims = expense_claim::Entity::find()
        .filter(expense_claim::Column::VolunteerId.eq(volunteer_id))
        .order_by_desc(expense_claim::Column::Id)
        .limit(Some(limit))
        .all(db)
        .await?;
    priced(db, claims).await
}

/// Which claims to list.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListFilter {
    /// draft, submitted, approved, rejected or paid
    pub status: String,
    /// A claim's name ("EXP-42") or part of a volunteer's name.
    pub q: String,
    /// `oldest`: oldest first; otherwise newest first.
    pub sort: String,
}

/// One page of the claims `viewer` may see under `filter`, newest first.
pub async fn page_visible(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    filter: &ListFilter,
    paging: Paging,
) -> AppResult<Page<ClaimView>> {
    let Some(query) = visible(db, viewer, filter).await? else {
        return Ok(Page::empty(paging));
    };
    let listed = crate::db::page(db, query, paging).await?;
    Ok(Page { items: views(db, listed.items).await?, info: listed.info })
}

/// The claims `viewer` may see under `filter`, newest first: all for coordinators, a
/// volunteer's own (none when the account has no volunteer record).
async fn visible(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    filter: &ListFilter,
) -> AppResult<Option<Select<expense_claim::Entity>>> {
    let mut query = expense_claim::Entity::find();
    match filter.status.trim() {
        "" => {}
        raw => {
            let status = ExpenseStatus::from_code(raw)
                .ok_or_else(|| AppError::field("status", "Filter by draft, submitted, approved, rejected or paid."))?;
            query = query.filter(expense_claim::Column::Status.eq(status));
        }
    }
    if !viewer.role.is_coordinator() {
        let Some(own) = volunteer::Entity::find().filter(volunteer::Column::UserId.eq(viewer.id)).one(db).await? else {
            return Ok(None);
        };
        query = query.filter(expense_claim::Column::VolunteerId.eq(own.id));
    }
    let q = filter.q.trim();
    if !q.is_empty() {
        let named = q.to_uppercase().strip_prefix("EXP-").and_then(|n| n.trim().parse::<i64>().ok());
        query = match named {
            Some(id) => query.filter(expense_claim::Column::Id.eq(id)),
            None => {
                let people: Vec<i64> = volunteer::Entity::find()
                    .find_also_related(user::Entity)
                    .all(db)
                    .await?
                    .into_iter()
                    .filter(|(_, account)| {
                        account.as_ref().is_some_and(|a| a.name.to_lowercase().contains(&q.to_lowercase()))
                    })
                    .map(|(record, _)| record.id)
                    .collect();
                query.filter(expense_claim::Column::VolunteerId.is_in(people))
            }
        };
    }
    Ok(Some(if filter.sort == "oldest" {
        query.order_by_asc(expense_claim::Column::Id)
    } else {
        query.order_by_desc(expense_claim::Column::Id)
    }))
}

async fn insert_item(
    db: &impl ConnectionTrait,
    claim_id: i64,
    item: &NewItem,
    case_contact_id: Option<i64>,
) -> Result<expense_item::Model, DbErr> {
    let mut row = expense_item::ActiveModel {
        claim_id: Set(claim_id),
        case_contact_id: Set(case_contact_id),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    };
    match item {
        NewItem::Mileage { date, description, journey } => {
            row.kind = Set(ExpenseKind::Mileage);
            row.incurred_on = Set(*date);
            row.description = Set(description.clone());
            row.amount_pence = Set(None);
            row.miles_tenths = Set(Some(journey.miles_tenths));
            row.vehicle = Set(Some(journey.vehicle));
            row.passengers = Set(Some(journey.passengers));
        }
        NewItem::Spent { kind, date, description, amount } => {
            row.kind = Set(*kind);
            row.incurred_on = Set(*date);
            row.description = Set(description.clone());
            row.amount_pence = Set(Some(amount.get()));
            row.miles_tenths = Set(None);
            row.vehicle = Set(None);
            row.passengers = Set(None);
        }
    }
    row.insert(db).await
}

async fn insert_claim(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
    new: &NewClaim,
) -> Result<expense_claim::Model, DbErr> {
    let now = crate::clock::now();
    let claim = expense_claim::ActiveModel {
        volunteer_id: Set(volunteer_id),
        purpose: Set(new.purpose.clone()),
        status: Set(ExpenseStatus::Draft),
        total_pence: Set(None),
        decision_reason: Set(None),
        decided_by_user_id: Set(None),
        submitted_at: Set(None),
        decided_at: Set(None),
        paid_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for item in &new.items {
        insert_item(db, claim.id, item, None).await?;
    }
    Ok(claim)
}

/// Starts a draft claim for the asking volunteer.
pub async fn create(db: &impl Db, user: &AuthUser, new: &NewClaim) -> AppResult<expense_claim::Model> {
    let txn = begin_write(db).await?;
    let own = own_volunteer(&txn, user).await?;
    let claim = insert_claim(&txn, own.id, new).await?;
    txn.commit().await?;
    Ok(claim)
}

/// An `Idempotency-Key` and the hash of the request it came with.
pub struct IdempotentRequest {
    pub key: String,
    pub request_hash: String,
}

/// A stored (or first) answer: status and JSON body.
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

/// Creates a claim, once per `Idempotency-Key`: a replay of the same request returns the
/// first answer, the same key with another request is refused. The key is stored in the
/// claim's transaction, so a crash leaves either both or neither.
pub async fn create_once(
    db: &impl Db,
    user: &AuthUser,
    new: &NewClaim,
    request: Option<IdempotentRequest>,
    render: impl FnOnce(&ClaimView) -> AppResult<String>,
) -> AppResult<StoredResponse> {
    let txn = begin_write(db).await?;
    if let Some(request) = &request {
        let stored = idempotency_key::Entity::find()
            .filter(idempotency_key::Column::UserId.eq(user.id))
            .filter(idempotency_key::Column::Key.eq(request.key.as_str()))
            .one(&txn)
            .await?;
        if let Some(stored) = stored {
            if stored.request_hash != request.request_hash {
                return Err(AppError::field(
                    "Idempotency-Key",
                    "This Idempotency-Key was already used for a different request. Use a new key for a new claim.",
                ));
            }
            return Ok(StoredResponse {
                status: u16::try_from(stored.response_status).unwrap_or(200),
                body: stored.response_body,
                replayed: true,
            });
        }
    }
    let own = own_volunteer(&txn, user).await?;
    let claim = insert_claim(&txn, own.id, new).await?;
    let body = render(&view(&txn, claim).await?)?;
    if let Some(request) = request {
        idempotency_key::ActiveModel {
            user_id: Set(user.id),
            key: Set(request.key),
            request_hash: Set(request.request_hash),
            response_status: Set(201),
            response_body: Set(body.clone()),
            created_at: Set(crate::clock::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|error| {
            if is_unique_violation(&error) {
                // Another request with this key is being handled at this moment.
                AppError::Conflict("A request with this Idempotency-Key is in progress; retry it shortly.".into())
            } else {
                error.into()
            }
        })?;
    }
    txn.commit().await?;
    Ok(StoredResponse { status: 201, body, replayed: false })
}

/// Marks a draft as changed; matches nothing once it has been submitted, so an edit that
/// races a submission loses cleanly.
async fn touch_draft(db: &impl ConnectionTrait, claim_id: i64) -> AppResult<()> {
    let touch = expense_claim::Entity::update_many()
        .col_expr(expense_claim::Column::Version, Expr::col(expense_claim::Column::Version).add(1))
        .col_expr(expense_claim::Column::UpdatedAt, Expr::value(crate::clock::now()))
        .filter(expense_claim::Column::Id.eq(claim_id))
        .filter(expense_claim::Column::Status.eq(ExpenseStatus::Draft));
    if crate::db::changed_one(db, touch).await? { Ok(()) } else { Err(only_drafts()) }
}

/// Adds an item to one of the volunteer's own drafts.
pub async fn add_item(db: &impl Db, user: &AuthUser, claim_id: i64, item: &NewItem) -> AppResult<expense_item::Model> {
    let txn = begin_write(db).await?;
    let claim = find_own(&txn, user, claim_id).await?;
    touch_draft(&txn, claim.id).await?;
    let count = expense_item::Entity::find().filter(expense_item::Column::ClaimId.eq(claim.id)).count(&txn).await?;
    if count >= 100 {
        return Err(AppError::field("kind", "A claim can have at most 100 items; start another claim."));
    }
    let stored = insert_item(&txn, claim.id, item, None).await?;
    txn.commit().await?;
    Ok(stored)
}

/// Adds the mileage of a case contact (by car) to `volunteer_id`'s newest draft claim, or to a
/// new draft, in the caller's transaction. It is priced like any journey, at approval. Each
/// contact is claimed once: `expense_items.case_contact_id` is unique.
pub async fn add_contact_mileage(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
    case_contact_id: i64,
    date: chrono::NaiveDate,
    description: &str,
    miles_tenths: i64,
) -> AppResult<expense_item::Model> {
    let already = AppError::Conflict("This contact's mileage is already on an expense claim.".into());
    let claimed =
        expense_item::Entity::find().filter(expense_item::Column::CaseContactId.eq(case_contact_id)).one(db).await?;
    if claimed.is_some() {
        return Err(already);
    }
    let draft = expense_claim::Entity::find()
        .filter(expense_claim::Column::VolunteerId.eq(volunteer_id))
        .filter(expense_claim::Column::Status.eq(ExpenseStatus::Draft))
        .order_by_desc(expense_claim::Column::Id)
        .one(db)
        .await?;
    let claim = match draft {
        Some(claim) => {
            touch_draft(db, claim.id).await?;
            claim
        }
        None => {
            let new = NewClaim { purpose: "Case preparation mileage".into(), items: Vec::new() };
            insert_claim(db, volunteer_id, &new).await?
        }
    };
    let journey = Journey { vehicle: Vehicle::CarVan, miles_tenths, passengers: 0 };
    let item = NewItem::Mileage { date, description: description.to_owned(), journey };
    insert_item(db, claim.id, &item, Some(case_contact_id))
        .await
        .map_err(|error| if is_unique_violation(&error) { already } else { error.into() })
}

/// Removes an item from one of the volunteer's own drafts.
pub async fn remove_item(db: &impl Db, user: &AuthUser, claim_id: i64, item_id: i64) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let claim = find_own(&txn, user, claim_id).await?;
    touch_draft(&txn, claim.id).await?;
    let result = expense_item::Entity::delete_many()
        .filter(expense_item::Column::Id.eq(item_id))
        .filter(expense_item::Column::ClaimId.eq(claim.id))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    txn.commit().await?;
    Ok(())
}

/// Moves `found` to `to` only if it is still in the status it was read in; anything else
/// means someone else acted first.
async fn transition(
    db: &impl ConnectionTrait,
    found: &expense_claim::Model,
    to: ExpenseStatus,
    extra: Vec<(expense_claim::Column, SimpleExpr)>,
) -> AppResult<expense_claim::Model> {
    let mut update = expense_claim::Entity::update_many()
        .col_expr(expense_claim::Column::Status, Expr::value(to))
        .col_expr(expense_claim::Column::Version, Expr::col(expense_claim::Column::Version).add(1))
        .col_expr(expense_claim::Column::UpdatedAt, Expr::value(crate::clock::now()));
    for (column, value) in extra {
        update = update.col_expr(column, value);
    }
    let update =
        update.filter(expense_claim::Column::Id.eq(found.id)).filter(expense_claim::Column::Status.eq(found.status));
    if !crate::db::changed_one(db, update).await? {
        return Err(AppError::changed_elsewhere("This claim"));
    }
    expense_claim::Entity::find_by_id(found.id).one(db).await?.ok_or(AppError::NotFound)
}

/// The volunteer sends a draft to the coordinators.
pub async fn submit(db: &impl Db, user: &AuthUser, claim_id: i64) -> AppResult<expense_claim::Model> {
    let txn = begin_write(db).await?;
    let claim = find_own(&txn, user, claim_id).await?;
    if claim.status != ExpenseStatus::Draft {
        return Err(AppError::Conflict(format!(
            "This claim is {}; only a draft can be submitted.",
            claim.status.code()
        )));
    }
    let items = expense_item::Entity::find().filter(expense_item::Column::ClaimId.eq(claim.id)).count(&txn).await?;
    if items == 0 {
        return Err(AppError::field("items", "Add at least one item before submitting the claim."));
    }
    let updated = transition(
        &txn,
        &claim,
        ExpenseStatus::Submitted,
        vec![(expense_claim::Column::SubmittedAt, Expr::value(Some(crate::clock::now())))],
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// A coordinator's decision on a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Paid,
}

impl Decision {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "approve" => Some(Self::Approve),
            "reject" => Some(Self::Reject),
            "paid" => Some(Self::Paid),
            _ => None,
        }
    }

    /// The status a claim must be in for this decision.
    fn applies_to(self) -> ExpenseStatus {
        match self {
            Self::Approve | Self::Reject => ExpenseStatus::Submitted,
            Self::Paid => ExpenseStatus::Approved,
        }
    }
}

/// As sent by the form or the API.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    /// approve, reject or paid
    pub decision: String,
    /// Required to reject; the volunteer sees it.
    pub reason: String,
}

/// Prices every mileage item of `claim` against the volunteer's approved miles now and
/// stores the amounts and the total. Runs inside the approving transaction.
async fn fix_amounts(db: &impl ConnectionTrait, claim: &expense_claim::Model) -> AppResult<Pence> {
    // Serialises approvals of one volunteer's claims (a row lock on PostgreSQL; SQLite
    // write transactions are already serial), so two approvals cannot both use the same
    // miles at 45p.
    volunteer::Entity::update_many()
        .col_expr(volunteer::Column::UpdatedAt, Expr::col(volunteer::Column::UpdatedAt))
        .filter(volunteer::Column::Id.eq(claim.volunteer_id))
        .exec(db)
        .await?;
    let items = expense_item::Entity::find().filter(expense_item::Column::ClaimId.eq(claim.id)).all(db).await?;
    let approved = approved_tenths(db, vec![claim.volunteer_id]).await?.remove(&claim.volunteer_id).unwrap_or_default();
    let prices = price_mileage(&items, approved);
    let mut total = Pence::ZERO;
    for item in &items {
        let amount = match prices.get(&item.id) {
            Some(price) => {
                expense_item::Entity::update_many()
                    .col_expr(expense_item::Column::AmountPence, Expr::value(Some(price.get())))
                    .filter(expense_item::Column::Id.eq(item.id))
                    .exec(db)
                    .await?;
                *price
            }
            None => item.amount_pence.and_then(Pence::new).unwrap_or(Pence::ZERO),
        };
        total = total
            .checked_add(amount)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("claim {} total overflows", claim.id)))?;
    }
    Ok(total)
}

/// Approves, rejects or marks paid, in one transaction with the volunteer's email.
pub async fn decide(
    db: &impl Db,
    base_url: &Url,
    actor: &AuthUser,
    id: i64,
    input: &DecisionInput,
) -> AppResult<expense_claim::Model> {
    use expense_claim::Column as C;
    let decision = Decision::parse(input.decision.trim())
        .ok_or_else(|| AppError::field("decision", "Choose a decision: approve, reject or paid."))?;
    let reason = input.reason.trim();
    if decision == Decision::Reject && (reason.is_empty() || reason.chars().count() > 2000) {
        return Err(AppError::field("reason", "Give a reason (at most 2,000 characters); the volunteer will see it."));
    }
    let txn = begin_write(db).await?;
    let found = expense_claim::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if found.status != decision.applies_to() {
        return Err(AppError::Conflict(format!(
            "This claim is {}; it cannot be given the decision “{}”.",
            found.status.code(),
            input.decision.trim()
        )));
    }
    let now = crate::clock::now();
    let updated = match decision {
        Decision::Approve => {
            // Priced first: if the transition then finds the claim changed, all of it rolls back.
            let total = fix_amounts(&txn, &found).await?;
            transition(
                &txn,
                &found,
                ExpenseStatus::Approved,
                vec![
                    (C::TotalPence, Expr::value(Some(total.get()))),
                    (C::DecidedAt, Expr::value(Some(now))),
                    (C::DecidedByUserId, Expr::value(Some(actor.id))),
                ],
            )
            .await?
        }
        Decision::Reject => {
            transition(
                &txn,
                &found,
                ExpenseStatus::Rejected,
                vec![
                    (C::DecisionReason, Expr::value(Some(reason.to_owned()))),
                    (C::DecidedAt, Expr::value(Some(now))),
                    (C::DecidedByUserId, Expr::value(Some(actor.id))),
                ],
            )
            .await?
        }
        Decision::Paid => {
            transition(&txn, &found, ExpenseStatus::Paid, vec![(C::PaidAt, Expr::value(Some(now)))]).await?
        }
    };
    notify_volunteer(&txn, base_url, &updated).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action: "expense.decided",
            target_type: Some("expense_claim"),
            target_id: Some(found.id.to_string()),
            detail: Some(format!("{} → {}", found.status.code(), updated.status.code())),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

async fn notify_volunteer(db: &impl ConnectionTrait, base_url: &Url, claim: &expense_claim::Model) -> AppResult<()> {
    let record = volunteer::Entity::find_by_id(claim.volunteer_id).one(db).await?.ok_or(AppError::NotFound)?;
    let account = user::Entity::find_by_id(record.user_id).one(db).await?.ok_or(AppError::NotFound)?;
    let url = Links::new(base_url).expense_claim(claim.id);
    let amount = claim.total_pence.and_then(Pence::new).unwrap_or(Pence::ZERO).to_string();
    let status = claim.status.code();
    let message = messages::expense_decided(
        &account.name,
        &reference(claim.id),
        &status,
        &amount,
        claim.decision_reason.as_deref(),
        &url,
    );
    outbox::enqueue(
        db,
        Outgoing {
            key: format!("expense.decided:{}:{status}", claim.id),
            kind: "expense.decided",
            to: account.email,
            message,
            send_after: crate::clock::now(),
        },
    )
    .await?;
    Ok(())
}

/// A file as uploaded.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Attaches a receipt to one of the volunteer's own drafts. The file is recognised by its
/// content and written under a random name; the uploader's name is display text only.
pub async fn add_receipt(
    db: &impl Db,
    files_dir: &Path,
    user: &AuthUser,
    claim_id: i64,
    upload: Upload,
) -> AppResult<expense_receipt::Model> {
    if upload.bytes.len() > MAX_RECEIPT_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    let kind = receipts::detect(&upload.bytes)
        .ok_or_else(|| AppError::field("file", "Upload the receipt as a PDF, JPEG or PNG file."))?;
    let txn = begin_write(db).await?;
    let claim = find_own(&txn, user, claim_id).await?;
    touch_draft(&txn, claim.id).await?;
    let count =
        expense_receipt::Entity::find().filter(expense_receipt::Column::ClaimId.eq(claim.id)).count(&txn).await?;
    if count >= MAX_RECEIPTS_PER_CLAIM {
        return Err(AppError::field("file", "A claim can have at most 20 receipts."));
    }
    let stored_name = format!("{}.{}", random_token(24), kind.extension);
    let size = i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX);
    let receipt = expense_receipt::ActiveModel {
        claim_id: Set(claim.id),
        stored_name: Set(stored_name.clone()),
        display_name: Set(receipts::display_name(&upload.file_name, kind)),
        content_type: Set(kind.content_type.to_owned()),
        size_bytes: Set(size),
        uploaded_by_user_id: Set(user.id),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let path = files_dir.join(&stored_name);
    tokio::fs::create_dir_all(files_dir)
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("creating the files directory")))?;
    tokio::fs::write(&path, &upload.bytes)
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("writing a receipt")))?;
    if let Err(error) = txn.commit().await {
        // Without its row the file would be an orphan nobody can reach.
        drop(tokio::fs::remove_file(&path).await);
        return Err(error.into());
    }
    Ok(receipt)
}

/// A receipt and its bytes, for the claim's owner and coordinators; anyone else gets 404.
pub async fn receipt_file(
    db: &impl Db,
    files_dir: &Path,
    viewer: &AuthUser,
    claim_id: i64,
    receipt_id: i64,
) -> AppResult<(expense_receipt::Model, Vec<u8>)> {
    let claim = find_visible(db, viewer, claim_id).await?.ok_or(AppError::NotFound)?;
    let receipt = expense_receipt::Entity::find_by_id(receipt_id)
        .filter(expense_receipt::Column::ClaimId.eq(claim.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = match tokio::fs::read(files_dir.join(&receipt.stored_name)).await {
        Ok(bytes) => bytes,
        // Erased with the volunteer's personal data: the row stays, the file is gone.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(AppError::NotFound),
        Err(e) => {
            return Err(AppError::Internal(anyhow::Error::new(e).context(format!("reading receipt {}", receipt.id))));
        }
    };
    Ok((receipt, bytes))
}

/// Approved claims awaiting payment, oldest first, for finance.
pub async fn approved_for_payment(db: &impl ConnectionTrait) -> Result<Vec<ClaimView>, DbErr> {
    let claims = expense_claim::Entity::find()
        .filter(expense_claim::Column::Status.eq(ExpenseStatus::Approved))
        .order_by_asc(expense_claim::Column::DecidedAt)
        .order_by_asc(expense_claim::Column::Id)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(claims.len());
    for claim in claims {
        views.push(view(db, claim).await?);
    }
    Ok(views)
}

/// How many submitted claims wait for a coordinator's decision.
pub async fn awaiting_decision(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    expense_claim::Entity::find().filter(expense_claim::Column::Status.eq(ExpenseStatus::Submitted)).count(db).await
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn item(id: i64, date: (i32, u32, u32), miles: i64) -> expense_item::Model {
        expense_item::Model {
            id,
            claim_id: 1,
            kind: ExpenseKind::Mileage,
            incurred_on: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
            description: String::new(),
            amount_pence: None,
            miles_tenths: Some(miles * 10),
            vehicle: Some(Vehicle::CarVan),
            passengers: Some(0),
            case_contact_id: None,
            created_at: crate::clock::now(),
        }
    }

    #[test]
    fn a_claim_prices_its_journeys_in_date_order_per_tax_year() {
        let approved = BTreeMap::from([(2026, 9_990 * 10)]);
        // Item 2 is earlier, so it takes the last 10 miles at 45p; item 1 is all at 25p.
        // Item 3 is in the next tax year: 45p again.
        let items = [item(1, (2027, 3, 1), 20), item(2, (2027, 2, 1), 20), item(3, (2027, 4, 6), 10)];
        let prices = price_mileage(&items, approved);
        assert_eq!(prices[&2].get(), 10 * 45 + 10 * 25);
        assert_eq!(prices[&1].get(), 20 * 25);
        assert_eq!(prices[&3].get(), 10 * 45);
    }
}
