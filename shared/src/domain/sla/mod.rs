//! Service level agreements: how long a workspace promises to take, and how far along each ticket is.
//!
//! - [`calendar`]: business hours in a time zone, and business-time arithmetic over them;
//! - [`policy`]: the targets per priority (overridden per category), the calendar, and which statuses
//!   pause the clock;
//! - [`clock`]: a ticket's first-response and resolution clocks, derived from its status history;
//! - [`watch`]: which SLA moments to record (at risk, breached, met), when to look again, and the radar.
//!
//! Everything here is pure: the caller passes `now`, so tests fix the time.

pub mod calendar;
pub mod clock;
pub mod policy;
pub mod watch;

pub use calendar::{BusinessCalendar, RawBusinessCalendar, Shift};
pub use clock::{ClockState, Pause, SlaClocks, TicketSlaFacts, sla_clocks};
pub use policy::{RawOverride, RawSlaPolicy, RawTargets, SlaPolicy, TargetOverride, Targets};
