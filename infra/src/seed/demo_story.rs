//! The demo workspace's last two days, told through the services as its members lived them: customers,
//! tickets in every status with replies and internal notes, a few close to their SLA deadline, and the
//! team's chat channel. Each step runs on a clock set to the moment it happened, so events, counters, SLA
//! watches and reports agree with each other exactly as if the work had been done by hand.
//!
//! Told once: the team channel is its last step, and a workspace that has it is left alone.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shared::App;
use shared::api::TicketView;
use shared::auth::MemberPrincipal;
use shared::clock::FixedClock;
use shared::domain::ids::{CustomerId, TicketId};
use shared::services::{chat, customers, tickets};

pub const TEAM_CHANNEL: &str = "support-team";

/// Customers: (name, e-mail, company).
const CUSTOMERS: [(&str, &str, &str); 12] = [
    ("Maya Lindqvist", "maya@northwind-outfitters.example", "Northwind Outfitters"),
    ("Daniel Okafor", "d.okafor@brightpath.example", "Brightpath Logistics"),
    ("Sofia Marin", "sofia.marin@casa-verde.example", "Casa Verde Interiors"),
    ("Liam Chen", "liam@tidewater.example", "Tidewater Analytics"),
    ("Aisha Rahman", "aisha.rahman@lumen-clinic.example", "Lumen Health Clinic"),
    ("Jonas Weber", "jonas.weber@alpenbike.example", "Alpenbike GmbH"),
    ("Grace Mitchell", "grace@mitchell-bakery.example", "Mitchell & Daughters Bakery"),
    ("Tomás Alvarez", "tomas@solara-energy.example", "Solara Energy"),
    ("Hannah Kim", "hannah.kim@quillpress.example", "Quill Press"),
    ("Oliver Grant", "oliver.grant@harborview.example", "Harborview Hotels"),
    ("Priya Nair", "priya@kitekite.example", "KiteKite Games"),
    ("Ethan Brooks", "ethan.brooks@fernhill.example", "Fernhill School District"),
];

/// Who works a ticket.
#[derive(Clone, Copy)]
enum Who {
    Nobody,
    Owner,
    Agent,
}

/// One step in a ticket's life, some minutes after it was opened.
enum Step {
    /// A reply to the customer by the assignee (or the owner when nobody is assigned).
    Reply(i64, &'static str),
    /// The customer writing back.
    Customer(i64, &'static str),
    /// A note for the team.
    Note(i64, &'static str),
    /// A new status.
    Status(i64, &'static str),
}

struct DemoTicket {
    /// How long ago the customer wrote in.
    minutes_ago: i64,
    customer: usize,
    subject: &'static str,
    body: &'static str,
    priority: &'static str,
    category: &'static str,
    channel: &'static str,
    tags: &'static [&'static str],
    assignee: Who,
    steps: &'static [Step],
}

use Step::{Customer, Note, Reply, Status};
use Who::{Agent, Nobody, Owner};

/// A few dozen tickets. Under the demo's around-the-clock policy (urgent: first reply in 1 h, high: 2 h,
/// normal: 8 h, low: 24 h) the youngest unanswered ones are at risk or past due, so the radar has work.
const TICKETS: &[DemoTicket] = &[
    DemoTicket {
        minutes_ago: 50,
        customer: 4,
        subject: "Patient portal down for all our front-desk staff",
        body: "Since about half an hour ago nobody at the clinic can sign in to the portal. We have patients waiting at reception.",
        priority: "urgent",
        category: "Technical",
        channel: "phone",
        tags: &["outage", "login"],
        assignee: Agent,
        steps: &[Note(5, "Status page is green. Checking whether this is their SSO provider before I call back.")],
    },
    DemoTicket {
        minutes_ago: 100,
        customer: 9,
        subject: "Double charge on our March invoice",
        body: "Our card was charged twice for invoice INV-20391. Can you refund the duplicate?",
        priority: "high",
        category: "Billing",
        channel: "email",
        tags: &["refund"],
        assignee: Owner,
        steps: &[],
    },
    DemoTicket {
        minutes_ago: 95,
        customer: 1,
        subject: "Webhook deliveries failing with 401",
        body: "Since this morning every webhook to our endpoint fails with 401. We rotated our secret yesterday.",
        priority: "high",
        category: "Technical",
        channel: "web",
        tags: &["webhooks", "api"],
        assignee: Nobody,
        steps: &[],
    },
    DemoTicket {
        minutes_ago: 40,
        customer: 10,
        subject: "Can't export last month's report",
        body: "The export button spins forever for March. February works fine.",
        priority: "normal",
        category: "Reports",
        channel: "chat",
        tags: &["export"],
        assignee: Nobody,
        steps: &[],
    },
    DemoTicket {
        minutes_ago: 560,
        customer: 6,
        subject: "Invoice address needs updating",
        body: "We moved to 14 Baker Lane. Can future invoices show the new address?",
        priority: "normal",
        category: "Billing",
        channel: "email",
        tags: &[],
        assignee: Nobody,
        steps: &[],
    },
    DemoTicket {
        minutes_ago: 200,
        customer: 0,
        subject: "Checkout widget shows the wrong currency",
        body: "Customers in Sweden see prices in USD instead of SEK on our checkout page.",
        priority: "urgent",
        category: "Technical",
        channel: "email",
        tags: &["checkout", "localization"],
        assignee: Agent,
        steps: &[
            Reply(20, "Thanks Maya, I can reproduce it with a Swedish locale. Looking into the currency setting now."),
            Note(35, "Their store's default currency was reset by the import on Monday. Fix needs their approval."),
            Customer(60, "Thanks! Please go ahead with whatever fixes it, this is costing us sales."),
            Status(62, "open"),
        ],
    },
    DemoTicket {
        minutes_ago: 320,
        customer: 3,
        subject: "API rate limit lower than our plan says",
        body: "We get 429s at around 60 requests a minute, but our plan should allow 300.",
        priority: "high",
        category: "Technical",
        channel: "api",
        tags: &["api", "limits"],
        assignee: Owner,
        steps: &[
            Reply(
                45,
                "Hi Liam, the limit follows the plan of the workspace the key belongs to. Could you send the key's id (not the secret)?",
            ),
            Customer(80, "Sure: key id ends in 7f3a."),
            Note(90, "That key belongs to their old trial workspace. Suggest moving it."),
            Reply(
                95,
                "Found it: that key lives in your old trial workspace. Create one in the main workspace and the 300/min limit applies.",
            ),
            Status(96, "pending"),
        ],
    },
    DemoTicket {
        minutes_ago: 1500,
        customer: 2,
        subject: "How do I add a second warehouse?",
        body: "We opened a showroom and want its stock tracked separately.",
        priority: "low",
        category: "How-to",
        channel: "web",
        tags: &["setup"],
        assignee: Agent,
        steps: &[
            Reply(120, "Hi Sofia! Settings → Locations → Add location. Each location keeps its own stock."),
            Customer(300, "Found it, thank you!"),
            Status(310, "solved"),
        ],
    },
    DemoTicket {
        minutes_ago: 2400,
        customer: 5,
        subject: "Feature request: dark mode for the dashboard",
        body: "Our workshop team uses the dashboard at night. A dark theme would be lovely.",
        priority: "low",
        category: "Feature request",
        channel: "email",
        tags: &["idea"],
        assignee: Owner,
        steps: &[
            Reply(240, "Thanks Jonas, I've passed this to our product team and added your vote."),
            Status(241, "on_hold"),
        ],
    },
    DemoTicket {
        minutes_ago: 2600,
        customer: 7,
        subject: "Solar monitoring data missing for two days",
        body: "The graphs for our Valencia site are empty for the 12th and 13th.",
        priority: "high",
        category: "Technical",
        channel: "email",
        tags: &["data"],
        assignee: Agent,
        steps: &[
            Reply(60, "Hi Tomás, the collector for that site lost its connection. We're backfilling the data now."),
            Note(90, "Backfill job started; should finish overnight."),
            Reply(900, "The data for both days is back. Could you check the graphs?"),
            Customer(1000, "All there now. Great work."),
            Status(1010, "solved"),
            Status(1400, "closed"),
        ],
    },
    DemoTicket {
        minutes_ago: 1300,
        customer: 8,
        subject: "Cancel our subscription at the end of the term",
        body: "We're consolidating tools and won't renew in June. Please confirm nothing renews automatically.",
        priority: "normal",
        category: "Account",
        channel: "email",
        tags: &["churn-risk"],
        assignee: Owner,
        steps: &[
            Note(30, "Quill Press is a 3-year customer. Worth a call before we confirm."),
            Reply(
                60,
                "Hi Hannah, I've turned off the renewal. Before June, could we have a short call about what's missing?",
            ),
            Customer(400, "Happy to talk. Thursday 10:00 works."),
            Status(410, "pending"),
        ],
    },
    DemoTicket {
        minutes_ago: 700,
        customer: 11,
        subject: "Teachers can't see the new term's classes",
        body: "Classes for the spring term were imported but teachers see last term's list.",
        priority: "high",
        category: "Technical",
        channel: "web",
        tags: &["import"],
        assignee: Agent,
        steps: &[
            Reply(
                30,
                "Hi Ethan, the import finished but the term switch is scheduled for tomorrow. I can switch it now if you like.",
            ),
            Customer(55, "Yes please, switch it now."),
            Reply(70, "Done: teachers see the spring classes after they reload."),
            Status(71, "solved"),
        ],
    },
    DemoTicket {
        minutes_ago: 150,
        customer: 6,
        subject: "Order confirmation e-mails going to spam",
        body: "Several customers told us our confirmation e-mails land in spam since last week.",
        priority: "normal",
        category: "Email",
        channel: "email",
        tags: &["deliverability"],
        assignee: Agent,
        steps: &[Reply(
            25,
            "Hi Grace, could you forward one of those e-mails with its full headers? That tells us which check fails.",
        )],
    },
    DemoTicket {
        minutes_ago: 2800,
        customer: 9,
        subject: "Room booking sync with our PMS",
        body: "Bookings from the website show up in our property management system about 20 minutes late.",
        priority: "normal",
        category: "Integrations",
        channel: "email",
        tags: &["sync"],
        assignee: Owner,
        steps: &[
            Reply(
                90,
                "Hi Oliver, the sync runs every 15 minutes on your plan. Real-time sync comes with webhooks; want me to set one up?",
            ),
            Customer(200, "Yes, let's do that."),
            Reply(260, "Webhook is live. New bookings now arrive within seconds."),
            Status(261, "solved"),
        ],
    },
    DemoTicket {
        minutes_ago: 30,
        customer: 10,
        subject: "Players locked out after the update",
        body: "After today's update some players get 'session expired' right after signing in.",
        priority: "urgent",
        category: "Technical",
        channel: "chat",
        tags: &["login", "regression"],
        assignee: Nobody,
        steps: &[],
    },
    DemoTicket {
        minutes_ago: 1900,
        customer: 1,
        subject: "Add two more seats",
        body: "We're hiring two dispatchers next week. How do we add seats?",
        priority: "low",
        category: "Billing",
        channel: "email",
        tags: &["seats"],
        assignee: Owner,
        steps: &[
            Reply(180, "Hi Daniel, Settings → Plan → Seats. The change is prorated on your next invoice."),
            Status(181, "solved"),
        ],
    },
    DemoTicket {
        minutes_ago: 260,
        customer: 3,
        subject: "Dashboard loads slowly in the mornings",
        body: "Between 8 and 9 the analytics dashboard takes 20+ seconds to load.",
        priority: "normal",
        category: "Technical",
        channel: "web",
        tags: &["performance"],
        assignee: Agent,
        steps: &[
            Reply(40, "Hi Liam, thanks for the timing details. Is it every dashboard or the 'All regions' one?"),
            Customer(90, "Mostly 'All regions'."),
            Note(100, "That dashboard runs 40 queries. Asked engineering about caching it."),
            Status(101, "open"),
        ],
    },
    DemoTicket {
        minutes_ago: 420,
        customer: 4,
        subject: "Export appointment history for an audit",
        body: "Our auditors need all appointments from last year as a spreadsheet.",
        priority: "normal",
        category: "Reports",
        channel: "email",
        tags: &["export", "compliance"],
        assignee: Owner,
        steps: &[
            Reply(60, "Hi Aisha, Reports → Appointments → Export lets you pick the whole year. It arrives as CSV."),
            Status(61, "pending"),
        ],
    },
    DemoTicket {
        minutes_ago: 2200,
        customer: 0,
        subject: "Discount codes not applying to sale items",
        body: "Our SPRING10 code says 'not valid' for anything already on sale.",
        priority: "normal",
        category: "How-to",
        channel: "email",
        tags: &["discounts"],
        assignee: Agent,
        steps: &[
            Reply(100, "Hi Maya, codes skip sale items unless 'Stack with sales' is ticked on the code."),
            Customer(160, "That was it, thanks."),
            Status(170, "solved"),
            Status(1500, "closed"),
        ],
    },
    DemoTicket {
        minutes_ago: 80,
        customer: 5,
        subject: "Wrong VAT rate on Austrian orders",
        body: "Orders shipped to Austria are charged 19% VAT instead of 20%.",
        priority: "high",
        category: "Billing",
        channel: "email",
        tags: &["tax"],
        assignee: Agent,
        steps: &[],
    },
    DemoTicket {
        minutes_ago: 1100,
        customer: 7,
        subject: "Second admin for our account",
        body: "Please make our operations lead, Carmen, an admin too.",
        priority: "low",
        category: "Account",
        channel: "email",
        tags: &[],
        assignee: Nobody,
        steps: &[],
    },
    DemoTicket {
        minutes_ago: 2700,
        customer: 2,
        subject: "Product photos look blurry",
        body: "Photos uploaded this week look much blurrier than before.",
        priority: "normal",
        category: "Technical",
        channel: "web",
        tags: &["images"],
        assignee: Agent,
        steps: &[
            Reply(
                50,
                "Hi Sofia, uploads over 5 MB were being compressed twice. We've fixed it; re-uploading restores the quality.",
            ),
            Customer(500, "Re-uploaded, they look great."),
            Status(510, "solved"),
        ],
    },
    DemoTicket {
        minutes_ago: 600,
        customer: 11,
        subject: "Parent accounts: password reset e-mails not arriving",
        body: "Parents don't receive password reset e-mails. Staff accounts are fine.",
        priority: "high",
        category: "Email",
        channel: "phone",
        tags: &["deliverability", "password"],
        assignee: Owner,
        steps: &[
            Reply(
                30,
                "Hi Ethan, we see the e-mails bouncing at the district's mail filter. Could your IT team allow our sending domain?",
            ),
            Note(35, "Bounce reason: 550 policy rejection at fernhill.example's gateway."),
            Status(36, "pending"),
            Customer(300, "IT allowed it, but a few parents still report nothing."),
            Status(301, "open"),
        ],
    },
    DemoTicket {
        minutes_ago: 2000,
        customer: 8,
        subject: "Printing order slips in A5",
        body: "Can order slips be printed on A5 paper?",
        priority: "low",
        category: "How-to",
        channel: "email",
        tags: &["printing"],
        assignee: Agent,
        steps: &[Reply(200, "Hi Hannah, yes: Settings → Printing → Paper size → A5."), Status(201, "solved")],
    },
    DemoTicket {
        minutes_ago: 360,
        customer: 9,
        subject: "Guest Wi-Fi vouchers printing blank",
        body: "The voucher printer at reception prints empty slips since the last update.",
        priority: "normal",
        category: "Technical",
        channel: "phone",
        tags: &["printing"],
        assignee: Agent,
        steps: &[
            Reply(15, "Hi Oliver, could you tell me the printer model? Some need the new driver."),
            Customer(45, "It's a TM-T20III."),
            Reply(60, "That one needs driver 3.2. Here's how to update it: Settings → Devices → Update driver."),
            Status(61, "pending"),
        ],
    },
    DemoTicket {
        minutes_ago: 1700,
        customer: 6,
        subject: "Thank you for the quick fix!",
        body: "Just wanted to say the new checkout works perfectly. Thanks to the whole team.",
        priority: "low",
        category: "Feedback",
        channel: "email",
        tags: &["kudos"],
        assignee: Owner,
        steps: &[Reply(60, "That's lovely to hear, Grace. Thank you!"), Status(61, "solved"), Status(1200, "closed")],
    },
    DemoTicket {
        minutes_ago: 130,
        customer: 3,
        subject: "SSO with our identity provider",
        body: "We'd like everyone to sign in with our company identity provider. Is SAML supported?",
        priority: "normal",
        category: "Account",
        channel: "email",
        tags: &["sso"],
        assignee: Nobody,
        steps: &[],
    },
    DemoTicket {
        minutes_ago: 480,
        customer: 7,
        subject: "Battery alerts firing every few minutes",
        body: "We get a 'battery low' alert every five minutes for a battery that is at 80%.",
        priority: "high",
        category: "Technical",
        channel: "web",
        tags: &["alerts"],
        assignee: Agent,
        steps: &[
            Reply(
                20,
                "Hi Tomás, that alert uses the old threshold after the firmware update. I've muted it while we fix the rule.",
            ),
            Note(30, "Rule threshold should be 20%, it's 85% after the migration. Engineering ticket filed."),
            Status(31, "on_hold"),
        ],
    },
];

/// The team channel's history: (minutes ago, who, message).
const CHAT: &[(i64, Who, &str)] = &[
    (
        2000,
        Owner,
        "Morning all! Reminder: the new SLA policy is live, so urgent tickets need a first reply within the hour.",
    ),
    (1990, Agent, "Got it. I'll keep the radar open on my second screen."),
    (600, Agent, "Heads-up: Fernhill's parents aren't getting reset e-mails. Their mail filter is rejecting us."),
    (590, Owner, "I'll take it, I know their IT lead."),
    (190, Agent, "Northwind's currency bug is the Monday import again. Anyone else seeing stores reset to USD?"),
    (185, Owner, "Not yet, but let's check the other stores that imported on Monday."),
    (45, Agent, "Lumen Clinic's portal is down for their front desk. Looking at it now, it's urgent."),
    (40, Owner, "Thanks Adam. Shout if you need a hand, I can pick up the unassigned ones."),
];

pub async fn tell(app: &App, owner: &MemberPrincipal, agent: &MemberPrincipal) -> Result<(), String> {
    let told = chat::list(app, owner).await.map_err(|err| err.to_string())?;
    if told.items.iter().any(|channel| channel.name.as_deref() == Some(TEAM_CHANNEL)) {
        return Ok(());
    }
    let story = Story { app, now: app.clock.now() };
    let oldest = TICKETS.iter().map(|ticket| ticket.minutes_ago).max().unwrap_or(0) + 60;
    let mut customer_ids = Vec::new();
    for (name, email, company) in CUSTOMERS {
        let request = json!({"name": name, "email": email, "company": company});
        let customer =
            customers::create(&story.at(oldest), owner, parse(request)?).await.map_err(failed("a customer"))?;
        customer_ids.push(customer.id);
    }
    for ticket in TICKETS {
        story.ticket(ticket, customer_ids[ticket.customer], owner, agent).await?;
    }
    let mut chat_times = CHAT.iter().map(|(minutes_ago, ..)| *minutes_ago);
    let started = chat_times.next().map_or(oldest, |first| first + 5);
    let channel = chat::create(&story.at(started), owner, parse(json!({"name": TEAM_CHANNEL}))?)
        .await
        .map_err(failed("the team channel"))?;
    for (minutes_ago, who, body) in CHAT {
        let author = if matches!(who, Agent) { agent } else { owner };
        chat::post(&story.at(*minutes_ago), author, channel.id, parse(json!({"body": body}))?)
            .await
            .map_err(failed("a chat message"))?;
    }
    Ok(())
}

/// The demo's clock: each step runs on a copy of the app whose clock stands at the step's moment.
struct Story<'a> {
    app: &'a App,
    now: Timestamp,
}

impl Story<'_> {
    fn at(&self, minutes_ago: i64) -> App {
        let then = self.now - SignedDuration::from_mins(minutes_ago);
        App { clock: Arc::new(FixedClock::new(then)), ..self.app.clone() }
    }

    async fn ticket(
        &self,
        ticket: &DemoTicket,
        customer: CustomerId,
        owner: &MemberPrincipal,
        agent: &MemberPrincipal,
    ) -> Result<(), String> {
        let opened = ticket.minutes_ago;
        let request = json!({
            "subject": ticket.subject, "body": ticket.body, "customer_id": customer.to_string(),
            "priority": ticket.priority, "category": ticket.category, "tags": ticket.tags, "channel": ticket.channel,
        });
        // The customer's request arrives; whoever picks it up assigns it a minute later.
        let created = tickets::create(&self.at(opened), owner, parse(request)?).await.map_err(failed("a ticket"))?;
        let worker = match ticket.assignee {
            Who::Agent => agent,
            Who::Owner | Who::Nobody => owner,
        };
        let mut version = created.version;
        if !matches!(ticket.assignee, Who::Nobody) {
            let assign = json!({"version": version, "assignee_id": worker.user_id.to_string()});
            version = self.update(opened - 1, worker, created.id, assign).await?.version;
        }
        for step in ticket.steps {
            let app = |after: i64| self.at(opened - after);
            match step {
                Step::Reply(after, body) | Step::Note(after, body) | Step::Customer(after, body) => {
                    let request = match step {
                        Step::Reply(..) => json!({"body": body}),
                        Step::Note(..) => json!({"body": body, "internal": true}),
                        _ => json!({"body": body, "author": "customer"}),
                    };
                    tickets::add_message(&app(*after), worker, created.id, parse(request)?)
                        .await
                        .map_err(failed("a ticket message"))?;
                    version = tickets::get(&app(*after), worker, created.id)
                        .await
                        .map_err(failed("a ticket"))?
                        .ticket
                        .version;
                }
                Step::Status(after, status) => {
                    let change = json!({"version": version, "status": status});
                    version = self.update(opened - after, worker, created.id, change).await?.version;
                }
            }
        }
        Ok(())
    }

    async fn update(
        &self,
        minutes_ago: i64,
        caller: &MemberPrincipal,
        id: TicketId,
        change: Value,
    ) -> Result<TicketView, String> {
        tickets::update(&self.at(minutes_ago), caller, id, parse(change)?, None)
            .await
            .map_err(failed("a ticket change"))
    }
}

/// A request as the API would receive it.
fn parse<T: DeserializeOwned>(request: Value) -> Result<T, String> {
    serde_json::from_value(request).map_err(|err| format!("a demo request does not parse: {err}"))
}

fn failed(what: &str) -> impl Fn(shared::services::ServiceError) -> String + '_ {
    move |err| format!("seeding {what}: {err}")
}
