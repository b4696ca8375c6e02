//! A workspace's standing: whether its people and keys may use it. Payment state (Stripe) and platform
//! staff move it; the authorizer reads it on every request and refuses a suspended workspace.
//!
//! - `active`: normal.
//! - `past_due`: a payment failed; everything works, everyone sees a banner, until `grace_until`.
//! - `suspended`: every tenant route answers 403 `workspace-suspended`, sockets are closed and refused,
//!   API keys stop, webhook deliveries are held. Nothing is removed.
//!
//! Who may lift a suspension follows its reason: a payment suspension lifts when the subscription is paid
//! again (or by staff); a staff suspension only by staff, whatever Stripe says.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The grace a past-due workspace gets before it is suspended, unless configured otherwise.
pub const DEFAULT_GRACE: SignedDuration = SignedDuration::from_hours(7 * 24);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionReason {
    /// The subscription went unpaid or was canceled and the grace period ended.
    Payment,
    /// Platform staff suspended it.
    Staff,
}

impl SuspensionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SuspensionReason::Payment => "payment",
            SuspensionReason::Staff => "staff",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Standing {
    #[default]
    Active,
    PastDue {
        #[schema(value_type = String, format = DateTime)]
        since: Timestamp,
        /// When the workspace is suspended unless paid by then.
        #[schema(value_type = String, format = DateTime)]
        grace_until: Timestamp,
    },
    Suspended {
        reason: SuspensionReason,
        #[schema(value_type = String, format = DateTime)]
        since: Timestamp,
        /// Staff's words on why (staff suspensions).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// What the subscription's payment state says the workspace's standing should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentSignal {
    /// active or trialing, or an invoice paid.
    Paid,
    /// past_due, or a payment failed.
    PastDue,
    /// unpaid, canceled (or incomplete_expired): suspended once the grace period is over.
    Lapsed,
}

impl Standing {
    pub fn suspension(&self) -> Option<SuspensionReason> {
        match self {
            Standing::Suspended { reason, .. } => Some(*reason),
            Standing::Active | Standing::PastDue { .. } => None,
        }
    }

    pub fn is_suspended(&self) -> bool {
        self.suspension().is_some()
    }

    /// The standing after a payment signal at `now`. Staff suspensions are never lifted or changed by
    /// payments; a lapsed subscription suspends at once when there was no grace running, else at its end
    /// (the deadline, [`Standing::after_grace`]).
    pub fn after_payment(&self, signal: PaymentSignal, now: Timestamp, grace: SignedDuration) -> Standing {
        let past_due = || Standing::PastDue { since: now, grace_until: now.checked_add(grace).unwrap_or(now) };
        match (self, signal) {
            (Standing::Suspended { reason: SuspensionReason::Staff, .. }, _) => self.clone(),
            (_, PaymentSignal::Paid) => Standing::Active,
            (Standing::Active, PaymentSignal::PastDue) => past_due(),
            (Standing::Active, PaymentSignal::Lapsed) => past_due(),
            (Standing::PastDue { grace_until, .. }, PaymentSignal::Lapsed) if *grace_until <= now => {
                Standing::Suspended { reason: SuspensionReason::Payment, since: now, note: None }
            }
            (Standing::PastDue { .. }, _) | (Standing::Suspended { .. }, _) => self.clone(),
        }
    }

    /// The standing when its grace deadline comes (`now` at or after it): a past-due workspace whose
    /// grace has ended is suspended for payment; anything else is left as it is.
    pub fn after_grace(&self, now: Timestamp) -> Standing {
        match self {
            Standing::PastDue { grace_until, .. } if *grace_until <= now => {
                Standing::Suspended { reason: SuspensionReason::Payment, since: now, note: None }
            }
            _ => self.clone(),
        }
    }

    /// The grace deadline, if one is running.
    pub fn grace_until(&self) -> Option<Timestamp> {
        match self {
            Standing::PastDue { grace_until, .. } => Some(*grace_until),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    #[test]
    fn a_failed_payment_starts_the_grace_and_a_paid_invoice_ends_it() {
        let past_due = Standing::Active.after_payment(PaymentSignal::PastDue, at(0), DEFAULT_GRACE);
        assert_eq!(past_due.grace_until(), Some(at(0).checked_add(DEFAULT_GRACE).unwrap()));
        assert!(!past_due.is_suspended(), "past due still works");
        // A second failure does not move the deadline on.
        assert_eq!(past_due.after_payment(PaymentSignal::PastDue, at(3600), DEFAULT_GRACE), past_due);
        assert_eq!(past_due.after_payment(PaymentSignal::Paid, at(60), DEFAULT_GRACE), Standing::Active);
    }

    #[test]
    fn the_grace_deadline_suspends_for_payment_and_payment_lifts_it() {
        let past_due = Standing::Active.after_payment(PaymentSignal::PastDue, at(0), DEFAULT_GRACE);
        assert_eq!(past_due.after_grace(at(60)), past_due, "too early: nothing changes");
        let later = at(DEFAULT_GRACE.as_secs());
        let suspended = past_due.after_grace(later);
        assert_eq!(suspended.suspension(), Some(SuspensionReason::Payment));
        assert_eq!(suspended.after_payment(PaymentSignal::Paid, later, DEFAULT_GRACE), Standing::Active);
    }

    #[test]
    fn a_lapsed_subscription_suspends_only_after_the_grace() {
        let lapsed = Standing::Active.after_payment(PaymentSignal::Lapsed, at(0), DEFAULT_GRACE);
        assert!(matches!(lapsed, Standing::PastDue { .. }), "a grace first: {lapsed:?}");
        let over = at(DEFAULT_GRACE.as_secs() + 1);
        assert!(lapsed.after_payment(PaymentSignal::Lapsed, over, DEFAULT_GRACE).is_suspended());
    }

    #[test]
    fn payments_never_lift_or_change_a_staff_suspension() {
        let staff = Standing::Suspended { reason: SuspensionReason::Staff, since: at(0), note: Some("abuse".into()) };
        for signal in [PaymentSignal::Paid, PaymentSignal::PastDue, PaymentSignal::Lapsed] {
            assert_eq!(staff.after_payment(signal, at(10), DEFAULT_GRACE), staff);
        }
        assert_eq!(staff.after_grace(at(10)), staff);
    }
}
