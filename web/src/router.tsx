// Routes; every screen but the frame is its own chunk, loaded when first visited.
import { createBrowserRouter, Navigate } from "react-router";
import { RequireSession } from "./ui/Layout";
import { Loading, NotFound } from "./ui/states";

export const router = createBrowserRouter([
  { path: "/login", lazy: () => import("./routes/auth/Login"), hydrateFallbackElement: <Loading /> },
  { path: "/signup", lazy: () => import("./routes/auth/Signup"), hydrateFallbackElement: <Loading /> },
  { path: "/platform/login", lazy: () => import("./routes/platform/StaffLogin"), hydrateFallbackElement: <Loading /> },
  { path: "/platform", lazy: () => import("./routes/platform/Console"), hydrateFallbackElement: <Loading /> },
  {
    path: "/",
    element: <RequireSession />,
    hydrateFallbackElement: <Loading />,
    children: [
      { index: true, element: <Navigate to="/inbox" replace /> },
      { path: "inbox", lazy: () => import("./routes/inbox/Inbox") },
      { path: "tickets/new", lazy: () => import("./routes/ticket/NewTicket") },
      { path: "tickets/:id", lazy: () => import("./routes/ticket/TicketPage") },
      { path: "customers", lazy: () => import("./routes/customers/Customers") },
      { path: "customers/:id", lazy: () => import("./routes/customers/CustomerPage") },
      { path: "sales", element: <Navigate to="/sales/leads" replace /> },
      { path: "sales/leads", lazy: () => import("./routes/sales/leads/Leads") },
      { path: "sales/leads/new", lazy: () => import("./routes/sales/leads/NewLead") },
      { path: "sales/leads/:id", lazy: () => import("./routes/sales/leads/LeadPage") },
      { path: "sales/companies", lazy: () => import("./routes/sales/companies/Companies") },
      { path: "sales/companies/:id", lazy: () => import("./routes/sales/companies/CompanyPage") },
      { path: "sales/tasks", lazy: () => import("./routes/sales/tasks/Tasks") },
      { path: "sales/deals", lazy: () => import("./routes/sales/deals/Deals") },
      { path: "sales/deals/:id", lazy: () => import("./routes/sales/deals/DealPage") },
      { path: "sales/dashboard", lazy: () => import("./routes/sales/dashboard/Dashboard") },
      { path: "reports", lazy: () => import("./routes/reports/Reports") },
      { path: "activity", lazy: () => import("./routes/activity/Activity") },
      { path: "sla-radar", lazy: () => import("./routes/sla/SlaRadar") },
      { path: "notifications", lazy: () => import("./routes/notifications/Notifications") },
      { path: "chat", lazy: () => import("./routes/chat/Chat") },
      { path: "chat/:channelId", lazy: () => import("./routes/chat/Chat") },
      {
        path: "settings",
        lazy: () => import("./routes/settings/SettingsLayout"),
        children: [
          { index: true, element: <Navigate to="members" replace /> },
          { path: "members", lazy: () => import("./routes/settings/Members") },
          { path: "categories", lazy: () => import("./routes/settings/Categories") },
          { path: "email", lazy: () => import("./routes/settings/Email") },
          { path: "sla", lazy: () => import("./routes/settings/SlaPolicy") },
          { path: "pipelines", lazy: () => import("./routes/settings/Pipelines") },
          { path: "plan", lazy: () => import("./routes/settings/Plan") },
          { path: "api-keys", lazy: () => import("./routes/integrations/ApiKeys") },
          { path: "webhooks", lazy: () => import("./routes/integrations/Webhooks") },
          { path: "lead-capture", lazy: () => import("./routes/integrations/LeadCapture") },
          { path: "google-contacts", lazy: () => import("./routes/integrations/GoogleContacts") },
          { path: "google-contacts/callback", lazy: () => import("./routes/integrations/GoogleContactsCallback") },
        ],
      },
      { path: "*", element: <NotFound /> },
    ],
  },
]);
